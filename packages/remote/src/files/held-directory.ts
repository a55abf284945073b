// Directories held open while a transfer writes in them, so that every name it creates, renames or
// removes lands in the directory it checked, whatever is renamed or planted meanwhile. Runs on both
// sides (pure node:fs): under sudo, the destination tree may belong to someone who would like root
// to write through a symlink of theirs.
//
// Node has no openat(2). On Linux, /proc/self/fd/N/name resolves `name` inside the directory open as
// fd N (the magic link jumps to that directory, however it was renamed), which gives the same
// guarantee. Elsewhere, or for a directory that cannot be opened for reading, the path is used, and
// verify() checks, right before each change, that it still leads to the directory that was checked.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { describeError, failureError, unsafePath } from './file-info.js';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW } = fs.constants;

let procFd: boolean | undefined;

/** Whether /proc/self/fd can anchor names in an open directory here. */
function anchors(): boolean {
  if (procFd === undefined) {
    try {
      procFd = process.platform === 'linux' && fs.statSync('/proc/self/fd').isDirectory();
    } catch {
      procFd = false;
    }
  }
  return procFd;
}

/** A directory a transfer writes in, checked once: names inside it resolve in it. */
export interface HeldDirectory {
  /** Its path, for messages and for names when it cannot be anchored. */
  readonly path: string;
  /** A path naming `name` inside the held directory. */
  at(name: string): string;
  /** @throws ERR_X_REMOTE_UNSAFE_PATH when names no longer resolve in the directory that was checked (never, when anchored). */
  verify(): Promise<void>;
  /** Flushes the directory's entries (a rename made durable); a file system that cannot is left as it is. */
  sync(): Promise<void>;
  /** Changes its permission bits and, when given, its times (seconds), without following a symlink. */
  setMode(mode: number, times?: { atime: number; mtime: number }): Promise<void>;
  close(): Promise<void>;
}

function unsafe(shown: string, why: string): Error {
  return failureError(unsafePath(shown, why));
}

class Held implements HeldDirectory {
  constructor(
    readonly path: string,
    readonly handle: fs.promises.FileHandle | undefined,
    readonly dev: number,
    readonly ino: number,
    /** Whether `at` anchors names through /proc/self/fd. */
    readonly anchored: boolean,
    /** What the caller named, for messages. */
    readonly shown: string,
  ) {}

  at(name: string): string {
    return this.anchored ? `/proc/self/fd/${this.handle!.fd}/${name}` : join(this.path, name);
  }

  async verify(): Promise<void> {
    if (this.anchored) return;
    const now = await fs.promises.stat(this.path).catch(() => undefined);
    if (now === undefined || now.dev !== this.dev || now.ino !== this.ino) throw unsafe(this.shown, `'${this.path}' was replaced while it was written in`);
  }

  async sync(): Promise<void> {
    await this.handle?.sync().catch(() => {
      // EINVAL on some file systems: the rename is as durable as they make it.
    });
  }

  async setMode(mode: number, times?: { atime: number; mtime: number }): Promise<void> {
    if (this.handle === undefined) {
      await this.verify();
      await fs.promises.chmod(this.path, mode);
      if (times !== undefined) await fs.promises.utimes(this.path, times.atime, times.mtime);
      return;
    }
    await this.handle.chmod(mode);
    if (times !== undefined) await this.handle.utimes(times.atime, times.mtime);
  }

  async close(): Promise<void> {
    await this.handle?.close().catch(() => {});
  }
}

/** Opens a directory; `follow`: the path may end in a symlink (the user named it). */
async function openDirectory(path: string, follow: boolean): Promise<fs.promises.FileHandle> {
  return fs.promises.open(path, O_RDONLY | O_DIRECTORY | (follow ? 0 : O_NOFOLLOW));
}

/**
 * Holds `base` (the directory the user named: a symlink there is followed) and then each of `below`
 * in turn, none of which may be a symlink: the result is the last one.
 * @param shown the path to name in errors (what the caller asked to write).
 * @throws ERR_X_REMOTE_UNSAFE_PATH when a component below `base` is a symlink; ENOENT, ENOTDIR, EACCES as open(2).
 */
export async function holdDirectory(base: string, below: readonly string[], shown: string): Promise<HeldDirectory> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await openDirectory(base, true);
  } catch (error) {
    // A directory we may write in but not read (mode 0o300): checked by path instead.
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    return holdByPath(base, below, shown);
  }
  const anchored = anchors();
  let path = base;
  try {
    for (const name of below) {
      const next = join(path, name);
      const where = anchored ? `/proc/self/fd/${handle.fd}/${name}` : next;
      let opened: fs.promises.FileHandle;
      try {
        opened = await openDirectory(where, false);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EACCES') {
          await handle.close();
          handle = undefined;
          return await holdByPath(base, below, shown);
        }
        // An O_NOFOLLOW open of a symlink fails ENOTDIR (or ELOOP): lstat tells which it was.
        if ((code === 'ENOTDIR' || code === 'ELOOP') && (await fs.promises.lstat(where).catch(() => undefined))?.isSymbolicLink()) {
          throw unsafe(shown, `'${next}' is a symlink this transfer did not make`);
        }
        throw withPath(error as Error, next);
      }
      await handle.close();
      handle = opened;
      path = next;
    }
    const stat = await handle.stat();
    const held = new Held(path, handle, stat.dev, stat.ino, anchored, shown);
    handle = undefined;
    if (!anchored) await held.verify();
    return held;
  } finally {
    await handle?.close();
  }
}

/** Node's errors name the path they were given: here a /proc one, which means nothing to the user. */
function withPath(error: Error, path: string): Error {
  const node = error as NodeJS.ErrnoException;
  if (typeof node.path === 'string' && node.path.startsWith('/proc/self/fd/')) {
    return Object.assign(new Error(`${node.code}: ${describeError(node)}, ${node.syscall} '${path}'`), { code: node.code, errno: node.errno, syscall: node.syscall, path });
  }
  return error;
}

/** The fallback: each component lstat-ed, the last one remembered by device and inode. */
async function holdByPath(base: string, below: readonly string[], shown: string): Promise<HeldDirectory> {
  let stat = await fs.promises.stat(base);
  let path = base;
  for (const name of below) {
    path = join(path, name);
    stat = await fs.promises.lstat(path);
    if (stat.isSymbolicLink()) throw unsafe(shown, `'${path}' is a symlink this transfer did not make`);
    if (!stat.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, open '${path}'`), { code: 'ENOTDIR', errno: -20, syscall: 'open', path });
  }
  return new Held(path, undefined, stat.dev, stat.ino, false, shown);
}
