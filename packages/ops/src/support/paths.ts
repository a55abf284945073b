// Reading what is at a path and bringing its mode and owner in line, without following a symlink there.
import * as fs from 'node:fs';
import { UnsafePathError } from '../errors.js';
import { octal } from './args.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK, O_DIRECTORY } = fs.constants;

export type Kind = 'file' | 'directory' | 'symlink' | 'other';

/** What lstat(2) finds at `path`, or undefined when nothing is there. */
export async function lstatOf(path: string): Promise<fs.Stats | undefined> {
  return fs.promises.lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

export function kindOf(stat: fs.Stats): Kind {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'directory';
  if (stat.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** What is at a path, in words for messages. */
export function described(stat: fs.Stats): string {
  const kind = kindOf(stat);
  return kind === 'other' ? 'a special file (device, FIFO or socket)' : `a ${kind}`;
}

/** Reads a regular file's bytes; a symlink or anything else at `path` is refused, not followed. */
export async function readRegular(path: string): Promise<Buffer> {
  const handle = await fs.promises.open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP') throw new UnsafePathError(path, 'it became a symlink while it was read');
    throw error;
  });
  try {
    if (!(await handle.stat()).isFile()) throw new UnsafePathError(path, 'it is not a regular file');
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export interface Meta {
  mode?: number | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  /** How the owner and group were named, for the actions: `owner app` rather than `owner 1000`. */
  ownerName?: string | number | undefined;
  groupName?: string | number | undefined;
}

/** What differs between `stat` and what is wanted: `['mode 0640', 'owner 1000']`. */
export function metaActions(stat: fs.Stats, want: Meta): string[] {
  const actions: string[] = [];
  if (want.uid !== undefined && stat.uid !== want.uid) actions.push(`owner ${want.ownerName ?? want.uid}`);
  if (want.gid !== undefined && stat.gid !== want.gid) actions.push(`group ${want.groupName ?? want.gid}`);
  if (want.mode !== undefined && (stat.mode & 0o7777) !== want.mode) actions.push(`mode ${octal(want.mode)}`);
  return actions;
}

/**
 * Brings the mode and owner of the file or directory at `path` in line with `want` through a descriptor
 * opened O_NOFOLLOW, so a symlink swapped in after the check is never followed.
 * @returns what it changed (under `check`, what it would change).
 */
export async function ensureMeta(path: string, kind: 'file' | 'directory', stat: fs.Stats, want: Meta, check: boolean): Promise<string[]> {
  const actions = metaActions(stat, want);
  if (actions.length === 0 || check) return actions;
  const flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (kind === 'directory' ? O_DIRECTORY : 0);
  const handle = await fs.promises.open(path, flags).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ELOOP' || error.code === 'ENOTDIR') throw new UnsafePathError(path, `it is no longer a ${kind}`);
    throw error;
  });
  try {
    const now = await handle.stat();
    if (now.ino !== stat.ino || now.dev !== stat.dev) throw new UnsafePathError(path, 'it was replaced while it was checked');
    // The owner before the mode: chown(2) clears setuid and setgid bits.
    if (want.uid !== undefined || want.gid !== undefined) await handle.chown(want.uid ?? -1, want.gid ?? -1);
    if (want.mode !== undefined) await handle.chmod(want.mode);
  } finally {
    await handle.close();
  }
  return actions;
}
