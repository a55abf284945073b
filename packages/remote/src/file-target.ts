// Files as transfers read and write them, on either side: atomic writes through a temporary in the
// target's directory, and reads into a small pool of reused buffers. Pure node:fs: it runs in contexts.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CHUNK_SIZE, type Source, type SinkTarget, WINDOW_SIZE, describeError, errorInfo } from './transfer.js';

/** How a written file ends up. */
export interface FileMeta {
  /** Permission bits (default: the existing file's, else 0o666 less the umask). */
  mode?: number | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  /** Access and modification times in milliseconds since the epoch (default: now). */
  atimeMs?: number | undefined;
  mtimeMs?: number | undefined;
  /** Replace an existing file (default true); false fails with EEXIST instead. */
  overwrite?: boolean | undefined;
}

/** What a source file is, as a fetch learns it before the bytes. */
export interface SourceStat {
  size: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
}

/** Temporaries still in place: removed on exit, so a context whose parent vanished leaves none. */
const live = new Set<string>();
let exitHook = false;

/** Starting a background fdatasync this often keeps the final fsync short: the disk works during the transfer. */
const SYNC_EVERY = 64 * 1024 * 1024;

function systemError(code: string, errno: number, description: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${description}, ${syscall} '${path}'`), { code, errno, syscall, path });
}

/**
 * A temporary next to `path`: `.<name>.x-<pid>-<random>.part`. The pid lets a later transfer to the
 * same file remove what a killed process left (sweepStale).
 */
function temporaryFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.x-${process.pid}-${randomBytes(4).toString('hex')}.part`);
}

/** Removes temporaries of `path` left by processes that no longer exist (killed mid-transfer). */
async function sweepStale(path: string): Promise<void> {
  const prefix = `.${basename(path)}.x-`;
  let names: string[];
  try {
    names = await fs.promises.readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.part')) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    await fs.promises.unlink(join(dirname(path), name)).catch(() => {});
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

/**
 * Opens the temporary for an atomic write of `path`. The bytes become `path` only on commit (fsync,
 * metadata, rename, fsync of the directory); discard removes the temporary.
 * @throws EISDIR when `path` is a directory, EEXIST when it exists and `overwrite` is false, and what open(2) throws.
 */
export async function openFileTarget(path: string, meta: FileMeta): Promise<SinkTarget & { meta: FileMeta }> {
  const existing = await fs.promises.stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing?.isDirectory()) throw systemError('EISDIR', -21, 'illegal operation on a directory', 'open', path);
  if (existing !== undefined && meta.overwrite === false) throw systemError('EEXIST', -17, 'file already exists', 'open', path);
  await sweepStale(path);
  const temporary = temporaryFor(path);
  const handle = await fs.promises.open(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600).catch((error: NodeJS.ErrnoException) => {
    // The temporary is this module's business: the error names the file the caller asked for.
    throw systemError(error.code ?? 'EIO', error.errno ?? -5, describeError(error), error.syscall ?? 'open', path);
  });
  live.add(temporary);
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
  const close = (): Promise<void> => {
    if (closed) return Promise.resolve();
    closed = true;
    return handle.close();
  };
  const target = {
    meta: { ...meta, mode: meta.mode ?? (existing !== undefined ? existing.mode & 0o7777 : 0o666 & ~process.umask()) },
    write: async (data: Buffer, position: number): Promise<void> => {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await handle.write(data, offset, data.length - offset, position + offset);
        offset += bytesWritten;
      }
      unsynced += data.length;
      if (unsynced >= SYNC_EVERY && syncing === undefined) {
        unsynced = 0;
        syncing = handle.datasync().finally(() => (syncing = undefined));
        // A failure shows again in the fsync at commit; here it would be an unhandled rejection.
        syncing.catch(() => {});
      }
    },
    commit: async (): Promise<void> => {
      const { mode, uid, gid, atimeMs, mtimeMs, overwrite } = target.meta;
      await syncing?.catch(() => {});
      if (mode !== undefined) await handle.chmod(mode);
      if (uid !== undefined || gid !== undefined) await handle.chown(uid ?? -1, gid ?? -1);
      if (atimeMs !== undefined || mtimeMs !== undefined) {
        const now = Date.now();
        await handle.utimes((atimeMs ?? now) / 1000, (mtimeMs ?? now) / 1000);
      }
      await handle.sync();
      await close();
      if (overwrite === false) {
        // link(2) fails if the name exists, atomically, where rename(2) would replace it.
        await fs.promises.link(temporary, path);
        await fs.promises.unlink(temporary);
      } else {
        await fs.promises.rename(temporary, path);
      }
      live.delete(temporary);
      await syncDirectory(dirname(path));
    },
    discard: (): void => {
      live.delete(temporary);
      close().catch(() => {});
      fs.unlink(temporary, () => {});
    },
  };
  return target;
}

/** Makes a rename durable; a file system that cannot fsync a directory is left as it is. */
async function syncDirectory(path: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(path, 'r');
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on some file systems: the rename is as durable as they make it.
  } finally {
    await handle?.close();
  }
}

/** A FIFO, socket or device: its bytes may never end, so it is not transferred as a file. */
export function notRegular(path: string): NodeJS.ErrnoException {
  return systemError('EINVAL', -22, 'not a regular file (a FIFO, socket or device)', 'read', path);
}

/**
 * Opens `path` for reading and reports what it is.
 * @throws EISDIR for a directory, EINVAL for anything else that is not a regular file, and what open(2) throws.
 */
export async function openFileSource(path: string): Promise<{ handle: fs.promises.FileHandle; stat: SourceStat }> {
  // Nonblocking: opening a FIFO would otherwise wait for a writer; it is refused below like any non-file.
  const handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw systemError('EISDIR', -21, 'illegal operation on a directory', 'read', path);
    if (!stat.isFile()) throw notRegular(path);
    return { handle, stat: { size: stat.size, mode: stat.mode & 0o7777, atimeMs: stat.atimeMs, mtimeMs: stat.mtimeMs } };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Sends the file behind `handle` through `source` and ends the transfer; the buffers are a pool of a
 * window's worth, reused as the peer acknowledges them. Closes the handle.
 */
export async function pumpFile(handle: fs.promises.FileHandle, source: Source, path: string): Promise<void> {
  const pool: Buffer[] = [];
  let position = 0;
  try {
    for (;;) {
      const buffer = pool.pop() ?? Buffer.allocUnsafe(CHUNK_SIZE);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      await source.send(buffer.subarray(0, bytesRead), () => {
        if (pool.length < WINDOW_SIZE / CHUNK_SIZE) pool.push(buffer);
      });
    }
  } catch (error) {
    source.abort(errorInfo(error, path));
    return;
  } finally {
    await handle.close();
  }
  await source.end().catch(() => {
    // The peer's sink reports the failure to whoever waits there.
  });
}
