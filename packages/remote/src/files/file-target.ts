// Files as transfers read and write them, on either side: atomic writes through a temporary in the
// target's directory, and reads into a small pool of reused buffers. Pure node:fs: it runs in contexts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { changedWhileRead, describeError, errorInfo, failureError, unsafePath } from './file-info.js';
import { type HeldDirectory, holdDirectory } from './held-directory.js';
import { CHUNK_SIZE, WINDOW_SIZE } from './transfer.js';
import type { SinkTarget } from './transfer-sink.js';
import type { Source } from './transfer-source.js';

/** How a written file ends up. */
export interface FileMeta {
  /** Permission bits, as told (default: the existing file's, else `sourceMode`, else 0o666 less the umask). */
  mode?: number | undefined;
  /** The source file's permission bits: a new file's. */
  sourceMode?: number | undefined;
  /** The owner, as told (default: a replaced file's where this process may give it, else this process's). */
  uid?: number | undefined;
  gid?: number | undefined;
  /** Access and modification times in milliseconds since the epoch (default: now). */
  atimeMs?: number | undefined;
  mtimeMs?: number | undefined;
  /** Replace an existing file (default true); false fails with EEXIST instead. */
  overwrite?: boolean | undefined;
  /**
   * The destination a directory transfer named, when the file is part of one: no directory between it
   * and the file may be a symlink (the transfer made none of them). A single file's directory is the
   * user's to name, symlinks and all.
   */
  root?: string | undefined;
}

/** What a source file is, as a fetch learns it before the bytes. */
export interface SourceStat {
  size: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
}

/** What identifies a file's state: compared before and after reading it. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
}

/** How `after` differs from `before` (for ERR_X_REMOTE_FILE_CHANGED), or undefined when it does not. */
export function changeBetween(before: FileIdentity, after: FileIdentity | undefined, read?: number): string | undefined {
  if (read !== undefined && read !== before.size) return `${read} bytes read of the ${before.size} it had when opened`;
  if (after === undefined) return 'it was removed';
  if (after.ino !== before.ino || after.dev !== before.dev) return 'it was replaced by another file';
  if (after.size !== before.size) return `its size went from ${before.size} to ${after.size} bytes`;
  if (after.mtimeMs !== before.mtimeMs) return 'its modification time changed';
  return undefined;
}

/** Temporaries still in place: removed on exit, so a context whose parent vanished leaves none. */
const live = new Set<string>();
let exitHook = false;

/** Starting a background fdatasync this often keeps the final fsync short: the disk works during the transfer. */
const SYNC_EVERY = 64 * 1024 * 1024;

function systemError(code: string, errno: number, description: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${description}, ${syscall} '${path}'`), { code, errno, syscall, path });
}

/** The same error, naming `path` (what the caller asked for) instead of a temporary or a /proc path. */
function naming(error: unknown, path: string, syscall?: string): unknown {
  const node = error as NodeJS.ErrnoException & { info?: unknown };
  if (node?.info !== undefined || typeof node?.code !== 'string') return error;
  return systemError(node.code, node.errno ?? -5, describeError(node), syscall ?? node.syscall ?? 'open', path);
}

/**
 * A temporary's name beside `name`: `.<name>.x-<pid>-<random>.part`. The pid lets a later transfer to
 * the same file remove what a killed process left (sweepStale).
 */
export function temporaryFor(name: string): string {
  return `.${name}.x-${process.pid}-${randomBytes(4).toString('hex')}.part`;
}

/** Removes temporaries of `name` in `dir` left by processes that no longer exist (killed mid-transfer). */
async function sweepStale(dir: HeldDirectory, name: string): Promise<void> {
  const prefix = `.${name}.x-`;
  let names: string[];
  try {
    names = await fs.promises.readdir(dir.at('.'));
  } catch {
    return;
  }
  for (const found of names) {
    if (!found.startsWith(prefix) || !found.endsWith('.part')) continue;
    const pid = Number(found.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    await fs.promises.unlink(dir.at(found)).catch(() => {});
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where `path` goes: the directory to hold (`base`, then the names `below` it) and its own name. */
function placeOf(path: string, root: string | undefined): { base: string; below: string[]; name: string } {
  if (root === undefined) return { base: dirname(path), below: [], name: basename(path) };
  const names = relative(root, path).split(sep);
  if (names.length === 0 || names.some((name) => name === '' || name === '.' || name === '..')) {
    throw failureError(unsafePath(path, `it is not inside the destination '${root}'`));
  }
  return { base: root, below: names.slice(0, -1), name: names.at(-1)! };
}

/**
 * Opens the temporary for an atomic write of `path`. The bytes become `path` only on commit (fsync,
 * metadata on the open file, rename inside the directory that was checked, fsync of that directory);
 * discard removes the temporary. Nothing here follows a symlink it did not make: the temporary is
 * created O_EXCL | O_NOFOLLOW in a directory held open (held-directory.ts), and an existing symlink
 * at `path` is replaced, never written through.
 * @throws EISDIR when `path` is a directory, EEXIST when it exists and `overwrite` is false,
 * ERR_X_REMOTE_UNSAFE_PATH when a directory below `meta.root` is a symlink, and what open(2) throws.
 */
export async function openFileTarget(path: string, meta: FileMeta): Promise<SinkTarget & { meta: FileMeta }> {
  const { base, below, name } = placeOf(path, meta.root);
  const dir = await holdDirectory(base, below, path).catch((error: unknown) => {
    throw naming(error, path);
  });
  let handle: fs.promises.FileHandle;
  let existingMode: number | undefined;
  let existingOwner: { uid: number; gid: number } | undefined;
  const temporary = temporaryFor(name);
  try {
    const found = await fs.promises.lstat(dir.at(name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    // A symlink there is replaced by the file, never written through. For a single file, whose path
    // the user named, one that leads to a directory still means "not a file", and its target's mode counts.
    const resolved = found?.isSymbolicLink() ? (meta.root === undefined ? await fs.promises.stat(dir.at(name)).catch(() => undefined) : undefined) : found;
    if (resolved?.isDirectory()) throw systemError('EISDIR', -21, 'illegal operation on a directory', 'open', path);
    if (found !== undefined && meta.overwrite === false) throw systemError('EEXIST', -17, 'file already exists', 'open', path);
    if (resolved?.isFile()) existingMode = resolved.mode & 0o7777;
    // Only a file that is there itself: a symlink's target says nothing of who owns the name.
    if (found?.isFile()) existingOwner = { uid: found.uid, gid: found.gid };
    await sweepStale(dir, name);
    handle = await fs.promises.open(dir.at(temporary), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    await dir.close();
    throw naming(error, path);
  }
  const temporaryPath = dir.at(temporary);
  live.add(temporaryPath);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const name of live) {
        try {
          fs.unlinkSync(name);
        } catch {
          // Gone already.
        }
      }
    });
  }
  let unsynced = 0;
  let syncing: Promise<void> | undefined;
  let closed = false;
  let released = false;
  const close = (): Promise<void> => {
    if (closed) return Promise.resolve();
    closed = true;
    return handle.close();
  };
  const target = {
    meta: { ...meta },
    write: async (data: Buffer[], position: number): Promise<void> => {
      unsynced += await writeAll(handle, data, position);
      if (unsynced >= SYNC_EVERY && syncing === undefined) {
        unsynced = 0;
        syncing = handle.datasync().finally(() => (syncing = undefined));
        // A failure shows again in the fsync at commit; here it would be an unhandled rejection.
        syncing.catch(() => {});
      }
    },
    commit: async (): Promise<void> => {
      const { uid, gid, atimeMs, mtimeMs, overwrite } = target.meta;
      await syncing?.catch(() => {});
      // The owner before the mode: chown(2) clears setuid and setgid bits.
      if (uid !== undefined || gid !== undefined) await giveOwner(handle, uid, gid, existingOwner);
      else if (existingOwner !== undefined) await keepOwner(handle, existingOwner);
      await handle.chmod(target.meta.mode ?? existingMode ?? target.meta.sourceMode ?? 0o666 & ~process.umask());
      if (atimeMs !== undefined || mtimeMs !== undefined) {
        const now = Date.now();
        await handle.utimes((atimeMs ?? now) / 1000, (mtimeMs ?? now) / 1000);
      }
      await handle.sync();
      await close();
      await dir.verify();
      if (overwrite === false) {
        // link(2) fails if the name exists, atomically, where rename(2) would replace it.
        await fs.promises.link(temporaryPath, dir.at(name));
        await fs.promises.unlink(temporaryPath);
      } else {
        await fs.promises.rename(temporaryPath, dir.at(name));
      }
      live.delete(temporaryPath);
      await dir.sync();
      released = true;
      await dir.close();
    },
    discard: async (): Promise<void> => {
      if (released) return;
      released = true;
      live.delete(temporaryPath);
      // Both at once; the directory stays held until the name in it is gone.
      await Promise.all([close().catch(() => {}), fs.promises.unlink(temporaryPath).catch(() => {})]);
      await dir.close();
    },
  };
  return target;
}

/** Writes `data`'s pieces at `position`, several in one writev(2); gives the bytes written (all of them). */
async function writeAll(handle: fs.promises.FileHandle, data: Buffer[], position: number): Promise<number> {
  let done = data.length > 1 ? (await handle.writev(data, position)).bytesWritten : 0;
  // What a short writev left, or a single piece: written piece by piece.
  let skip = done;
  for (const piece of data) {
    if (skip >= piece.length) {
      skip -= piece.length;
      continue;
    }
    let offset = skip;
    skip = 0;
    while (offset < piece.length) {
      const { bytesWritten } = await handle.write(piece, offset, piece.length - offset, position + done);
      offset += bytesWritten;
      done += bytesWritten;
    }
  }
  return done;
}

/**
 * Gives the new file the owner told (`uid`, `gid`), the part not told kept from a replaced file where
 * this process may give it: a told part that cannot be given fails the transfer.
 */
async function giveOwner(handle: fs.promises.FileHandle, uid: number | undefined, gid: number | undefined, existing: { uid: number; gid: number } | undefined): Promise<void> {
  if (existing !== undefined && (uid === undefined || gid === undefined)) {
    const kept = await handle.chown(uid ?? existing.uid, gid ?? existing.gid).then(
      () => true,
      () => false,
    );
    if (kept) return;
  }
  await handle.chown(uid ?? -1, gid ?? -1);
}

/** Gives the new file a replaced file's owner, where this process may (root may; others only their own groups). */
async function keepOwner(handle: fs.promises.FileHandle, owner: { uid: number; gid: number }): Promise<void> {
  const now = await handle.stat();
  if (now.uid === owner.uid && now.gid === owner.gid) return;
  await handle.chown(owner.uid, owner.gid).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPERM') throw error;
    await handle.chown(-1, owner.gid).catch(() => {
      // Neither is ours to give: the file is this process's, as any file it writes.
    });
  });
}

/** A FIFO, socket or device: its bytes may never end, so it is not transferred as a file. */
export function notRegular(path: string): NodeJS.ErrnoException {
  return systemError('EINVAL', -22, 'not a regular file (a FIFO, socket or device)', 'read', path);
}

/**
 * Opens `path` for reading and reports what it is (`identity`: what pumpFile compares at the end).
 * @throws EISDIR for a directory, EINVAL for anything else that is not a regular file, and what open(2) throws.
 */
export async function openFileSource(path: string): Promise<{ handle: fs.promises.FileHandle; stat: SourceStat; identity: FileIdentity }> {
  // Nonblocking: opening a FIFO would otherwise wait for a writer; it is refused below like any non-file.
  const handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw systemError('EISDIR', -21, 'illegal operation on a directory', 'read', path);
    if (!stat.isFile()) throw notRegular(path);
    return { handle, stat: { size: stat.size, mode: stat.mode & 0o7777, atimeMs: stat.atimeMs, mtimeMs: stat.mtimeMs }, identity: stat };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Sends the file behind `handle` through `source` and ends the transfer; the buffers are a pool of a
 * window's worth, reused as the peer acknowledges them. A file that changes while it is read (its
 * size, modification time or inode, through the open file and through its path, differ from
 * `identity`, taken at open) fails the transfer with ERR_X_REMOTE_FILE_CHANGED: the sha256 of what was
 * read cannot tell, since both sides hash the same changing bytes. Closes the handle.
 */
export async function pumpFile(handle: fs.promises.FileHandle, source: Source, path: string, identity: FileIdentity): Promise<void> {
  const pool: Buffer[] = [];
  let position = 0;
  let changed: string | undefined;
  try {
    for (;;) {
      const buffer = pool.pop() ?? Buffer.allocUnsafe(CHUNK_SIZE);
      // One byte past the size read at open: a file that grew shows here rather than being sent on.
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, identity.size + 1 - position), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      if (position > identity.size) break;
      await source.send(buffer.subarray(0, bytesRead), () => {
        if (pool.length < WINDOW_SIZE / CHUNK_SIZE) pool.push(buffer);
      });
    }
    changed = changeBetween(identity, await handle.stat(), position) ?? changeBetween(identity, await fs.promises.stat(path).catch(() => undefined));
  } catch (error) {
    source.abort(errorInfo(error, path));
    return;
  } finally {
    await handle.close();
  }
  if (changed !== undefined) {
    source.abort(changedWhileRead(path, changed));
    return;
  }
  await source.end().catch(() => {
    // The peer's sink reports the failure to whoever waits there.
  });
}
