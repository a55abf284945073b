// The context's side of file transfers, shipped on a context's first transfer (like via-child.ts) and
// called by the root as module functions. The tree functions also run in the root for its own side.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { type FileMeta, type SourceStat, openFileSource, openFileTarget, pumpFile } from './file-target.js';
import type { RouterCore } from './router-core.js';
import { type FileErrorInfo, Sink, Source, errorInfo } from './transfer.js';

function router(): RouterCore {
  return ((globalThis as Record<symbol, unknown>)[Symbol.for('@x/remote.runtime')] as { router: RouterCore }).router;
}

/** Errors travel as data, so the root can rebuild them with Node's fields (code, errno, syscall, path). */
type Answer<T> = T | { error: FileErrorInfo };

/** Opens the temporary for `path` and a Sink for `peer`'s data; answers the Sink's handle. */
export async function openSink(path: string, meta: FileMeta, peer: number, ackHandle: number): Promise<Answer<{ handle: number }>> {
  try {
    const target = await openFileTarget(path, meta);
    return { handle: new Sink(router(), peer, target, path, ackHandle).handle };
  } catch (error) {
    return { error: errorInfo(error, path) };
  }
}

/** Opens `path` and starts sending it to `peer`'s Sink; answers what the file is and where acks go. */
export async function openSource(path: string, peer: number, sinkHandle: number): Promise<Answer<SourceStat & { ackHandle: number }>> {
  let opened: Awaited<ReturnType<typeof openFileSource>>;
  try {
    opened = await openFileSource(path);
  } catch (error) {
    return { error: errorInfo(error, path) };
  }
  const source = new Source(router(), peer, path, (info) => info);
  source.sinkHandle = sinkHandle;
  void pumpFile(opened.handle, source, path);
  return { ...opened.stat, ackHandle: source.ackHandle };
}

/** One entry of a directory tree, relative to its root ('' is the root itself). */
export interface TreeEntry {
  path: string;
  type: 'directory' | 'file' | 'symlink';
  mode: number;
  size: number;
  atimeMs: number;
  mtimeMs: number;
  /** A symlink's target, as it is (not resolved). */
  link?: string;
}

/** Lists the tree under `root` without following symlinks; other kinds (fifos, sockets, devices) are left out. */
export async function listTree(root: string): Promise<Answer<{ entries: TreeEntry[]; skipped: string[] }>> {
  const entries: TreeEntry[] = [];
  const skipped: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    const path = relative === '' ? root : join(root, relative);
    const stat = await fs.promises.lstat(path);
    const entry: TreeEntry = { path: relative, type: 'file', mode: stat.mode & 0o7777, size: stat.size, atimeMs: stat.atimeMs, mtimeMs: stat.mtimeMs };
    if (stat.isSymbolicLink()) {
      entries.push({ ...entry, type: 'symlink', link: await fs.promises.readlink(path) });
    } else if (stat.isDirectory()) {
      entries.push({ ...entry, type: 'directory' });
      for (const name of (await fs.promises.readdir(path)).sort()) await visit(relative === '' ? name : join(relative, name));
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

/**
 * Creates the directories (writable by this process until finishTree) and symlinks of a tree under
 * `root`; files come after, as transfers. An existing symlink is replaced unless `overwrite` is false.
 */
export async function makeTree(root: string, entries: TreeEntry[], overwrite: boolean): Promise<Answer<null>> {
  let current = root;
  try {
    for (const entry of entries) {
      current = entry.path === '' ? root : join(root, entry.path);
      if (entry.type === 'directory') {
        await fs.promises.mkdir(current, { recursive: true, mode: 0o700 });
      } else if (entry.type === 'symlink') {
        try {
          await fs.promises.symlink(entry.link!, current);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !overwrite) throw error;
          await fs.promises.unlink(current);
          await fs.promises.symlink(entry.link!, current);
        }
      }
    }
  } catch (error) {
    return { error: errorInfo(error, current) };
  }
  return null;
}

/** Gives the tree's directories their modes (and times), deepest first, once their files are in. */
export async function finishTree(root: string, entries: TreeEntry[], preserveTimes: boolean): Promise<Answer<null>> {
  let current = root;
  try {
    for (const entry of [...entries].reverse()) {
      if (entry.type !== 'directory') continue;
      current = entry.path === '' ? root : join(root, entry.path);
      await fs.promises.chmod(current, entry.mode);
      if (preserveTimes) await fs.promises.utimes(current, entry.atimeMs / 1000, entry.mtimeMs / 1000);
    }
  } catch (error) {
    return { error: errorInfo(error, current) };
  }
  return null;
}
