// The context's side of file transfers, shipped on a context's first transfer (like via-child.ts) and
// called by the root as module functions. The tree functions also run in the root for its own side,
// where the entries they write came from a context: they check them (file-tree.ts) and write only
// in directories they hold (held-directory.ts), never through a symlink they did not make.
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Checksum, createDigest } from './digest.js';
import { type FileDigest, digestFiles as digestAll } from './file-digest.js';
import { type FileErrorInfo, errorInfo, failureError, unsafePath } from './file-info.js';
import { type FileMeta, type SourceStat, openFileSource, openFileTarget, pumpFile, temporaryFor } from './file-target.js';
import { type TreeEntry, type TreeListing, checkTreePaths } from './file-tree.js';
import { type HeldDirectory, holdDirectory } from './held-directory.js';
import type { RouterCore } from '../calls/router-core.js';
import { Sink } from './transfer-sink.js';
import { Source } from './transfer-source.js';

export type { TreeEntry, TreeListing } from './file-tree.js';

function router(): RouterCore {
  return ((globalThis as Record<symbol, unknown>)[Symbol.for('@x/remote.runtime')] as { router: RouterCore }).router;
}

/** Errors travel as data, so the root can rebuild them with Node's fields (code, errno, syscall, path). */
type Answer<T> = T | { error: FileErrorInfo };

/** Opens the temporary for `path` and a Sink for `peer`'s data, checked by `checksum`; answers the Sink's handle. */
export async function openSink(path: string, meta: FileMeta, peer: number, ackHandle: number, checksum: Checksum): Promise<Answer<{ handle: number }>> {
  try {
    const hash = await createDigest(checksum);
    const target = await openFileTarget(path, meta);
    return { handle: new Sink(router(), peer, target, path, checksum, hash, ackHandle).handle };
  } catch (error) {
    return { error: errorInfo(error, path) };
  }
}

/** Opens `path` and starts sending it to `peer`'s Sink; answers what the file is and where acks go. */
export async function openSource(path: string, peer: number, sinkHandle: number, checksum: Checksum): Promise<Answer<SourceStat & { ackHandle: number }>> {
  let opened: Awaited<ReturnType<typeof openFileSource>>;
  const hash = await createDigest(checksum);
  try {
    opened = await openFileSource(path);
  } catch (error) {
    return { error: errorInfo(error, path) };
  }
  const source = new Source(router(), peer, path, checksum, hash, (info) => info);
  source.sinkHandle = sinkHandle;
  void pumpFile(opened.handle, source, path, opened.identity);
  return { ...opened.stat, ackHandle: source.ackHandle };
}

/** Lists the tree under `root` without following symlinks; other kinds (fifos, sockets, devices) are left out. */
export async function listTree(root: string): Promise<Answer<TreeListing>> {
  const entries: TreeEntry[] = [];
  const skipped: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const path = relative === '' ? root : join(root, relative);
    const stat = await fs.promises.lstat(path).catch((error: NodeJS.ErrnoException) => {
      // Removed since its directory was read (another writer's --delete, say): not in the tree.
      if (error.code === 'ENOENT' && relative !== '') return undefined;
      throw error;
    });
    if (stat === undefined) return;
    const entry: TreeEntry = { path: relative, type: 'file', mode: stat.mode & 0o7777, size: stat.size, atimeMs: stat.atimeMs, mtimeMs: stat.mtimeMs };
    if (stat.isSymbolicLink()) {
      entries.push({ ...entry, type: 'symlink', link: await fs.promises.readlink(path) });
    } else if (stat.isDirectory()) {
      entries.push({ ...entry, type: 'directory' });
      const names = await fs.promises.readdir(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' && relative !== '') return [];
        throw error;
      });
      for (const name of names.sort()) await visit(relative === '' ? name : join(relative, name));
    } else if (stat.isFile()) {
      entries.push(entry);
    } else {
      skipped.push(relative);
    }
  };
  try {
    const top = await fs.promises.stat(root);
    if (!top.isDirectory()) return { error: errorInfo(Object.assign(new Error(`ENOTDIR: not a directory, scandir '${root}'`), { code: 'ENOTDIR', errno: -20, syscall: 'scandir' }), root) };
    await visit('');
  } catch (error) {
    return { error: errorInfo(error, (error as NodeJS.ErrnoException).path ?? root) };
  }
  return { entries, skipped };
}

/** The names of an entry's path, and where its parent is: `root` then the names before the last. */
function split(path: string): { below: string[]; name: string } {
  const names = path.split('/');
  return { below: names.slice(0, -1), name: names.at(-1)! };
}

/** Runs `work` in the held parent directory of `entry`, closing it after. */
async function inParent<T>(root: string, entry: TreeEntry, work: (dir: HeldDirectory, name: string) => Promise<T>): Promise<T> {
  const { below, name } = split(entry.path);
  const dir = await holdDirectory(root, below, join(root, entry.path));
  try {
    await dir.verify();
    return await work(dir, name);
  } finally {
    await dir.close();
  }
}

/**
 * Creates the directories (writable by this process until finishTree) and symlinks of a tree under
 * `root`; files come after, as transfers. An existing symlink is replaced unless `overwrite` is false.
 * An existing directory of the tree that is a symlink is refused (ERR_X_REMOTE_UNSAFE_PATH): `root`
 * itself may be one (the user named it), nothing below it.
 */
export async function makeTree(root: string, entries: TreeEntry[], overwrite: boolean): Promise<Answer<null>> {
  let current = root;
  try {
    checkTreePaths(entries, root);
    for (const entry of entries) {
      current = entry.path === '' ? root : join(root, entry.path);
      if (entry.path === '') {
        await makeRoot(root);
      } else if (entry.type === 'directory') {
        await inParent(root, entry, async (dir, name) => {
          try {
            await fs.promises.mkdir(dir.at(name), { mode: 0o700 });
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
            const found = await fs.promises.lstat(dir.at(name));
            if (found.isSymbolicLink()) throw failureError(unsafePath(current, `'${current}' is a symlink this transfer did not make`));
            if (!found.isDirectory()) throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${current}'`), { code: 'EEXIST', errno: -17, syscall: 'mkdir' });
          }
        });
      } else if (entry.type === 'symlink') {
        await inParent(root, entry, (dir, name) => placeLink(dir, name, entry.link!, overwrite));
      }
    }
  } catch (error) {
    return { error: errorInfo(error, current) };
  }
  return null;
}

/**
 * Makes `name` in `dir` a symlink to `link`. One there already that leads to `link` is left alone; any
 * other entry but a directory is replaced through a rename, never removed first: another writer of the
 * same tree (two targets on one host copying to one place) may be placing the same link meanwhile, and
 * an unlink then symlink of both would fail one of them (ENOENT, EEXIST) and leave the name missing
 * for a moment. rename(2) replaces a symlink itself (never its target) and refuses a directory.
 */
async function placeLink(dir: HeldDirectory, name: string, link: string, overwrite: boolean): Promise<void> {
  try {
    await fs.promises.symlink(link, dir.at(name));
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !overwrite) throw error;
  }
  // EINVAL for anything that is not a symlink: replaced below like a symlink that leads elsewhere.
  if ((await fs.promises.readlink(dir.at(name)).catch(() => undefined)) === link) return;
  const temporary = dir.at(temporaryFor(name));
  await fs.promises.symlink(link, temporary);
  await fs.promises.rename(temporary, dir.at(name)).catch(async (error: unknown) => {
    await fs.promises.unlink(temporary).catch(() => {});
    throw error;
  });
}

/**
 * Creates a tree's root: missing parents as `mkdir -p` makes them (0o777 less the umask: they are not
 * the tree's, and a root-owned /opt made 0o700 locks everyone else out), the root itself writable by
 * this process only until finishTree gives it the source's mode.
 */
async function makeRoot(root: string): Promise<void> {
  await fs.promises.mkdir(dirname(root), { recursive: true });
  try {
    await fs.promises.mkdir(root, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await fs.promises.stat(root)).isDirectory()) throw error;
  }
}

/** For the unchanged check: each file's digest if it is a regular file of the given size, else null. */
export async function digestFiles(files: { path: string; size: number }[], checksum: Checksum): Promise<(FileDigest | null)[]> {
  return digestAll(files, checksum);
}

/**
 * Removes from the tree under `root` every entry `entries` (the source's listing) lacks, and every one
 * whose type differs there, deepest first; answers how many were removed. Each removal happens in its
 * held parent directory (never through a symlink: one in the tree is removed as itself). Refuses a
 * `root` that is `/` or this process's home directory, whatever leads there.
 */
export async function pruneTree(root: string, entries: TreeEntry[]): Promise<Answer<{ deleted: number }>> {
  let current = root;
  try {
    checkTreePaths(entries, root);
    const real = await fs.promises.realpath(root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (real === undefined) return { deleted: 0 };
    if (real === '/' || real === (await fs.promises.realpath(homedir()).catch(() => homedir()))) {
      throw failureError(unsafePath(root, `it is ${real === '/' ? 'the root directory' : 'the home directory'}; copy into a directory below it to delete what the source lacks`));
    }
    const listing = await listTree(root);
    if ('error' in listing) return listing;
    const wanted = new Map(entries.map((entry) => [entry.path, entry.type]));
    let deleted = 0;
    for (const entry of listing.entries.slice(1).reverse()) {
      if (wanted.get(entry.path) === entry.type) continue;
      current = join(root, entry.path);
      const removed = await inParent(root, entry, (dir, name) => (entry.type === 'directory' ? fs.promises.rmdir(dir.at(name)) : fs.promises.unlink(dir.at(name)))).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          // Gone already, or its directory: another writer of the same tree (two targets on one host) removed it first, and counts it.
          if (error.code === 'ENOENT') return false;
          throw error;
        },
      );
      if (removed) deleted++;
    }
    return { deleted };
  } catch (error) {
    return { error: errorInfo(error, current) };
  }
}

/** Gives the tree's directories their modes (and times), deepest first, once their files are in: on the open directory, never through a symlink. */
export async function finishTree(root: string, entries: TreeEntry[], preserveTimes: boolean): Promise<Answer<null>> {
  let current = root;
  try {
    checkTreePaths(entries, root);
    for (const entry of [...entries].reverse()) {
      if (entry.type !== 'directory') continue;
      current = entry.path === '' ? root : join(root, entry.path);
      const dir = await holdDirectory(root, entry.path === '' ? [] : entry.path.split('/'), current);
      try {
        await dir.setMode(entry.mode, preserveTimes ? { atime: entry.atimeMs / 1000, mtime: entry.mtimeMs / 1000 } : undefined);
      } finally {
        await dir.close();
      }
    }
  } catch (error) {
    return { error: errorInfo(error, current) };
  }
  return null;
}
