// A directory tree as directory transfers list it, and the checks a listing passes before anything
// is written from it. A listing that comes from a context is untrusted: it could name '../../x', an
// absolute path, or a file under an entry it declared a symlink, to make the writer reach outside
// the destination. Runs on both sides (pure JS).
import { type FileErrorInfo, brokenProtocol, failureError, unsafePath } from './file-info.js';

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

/** A listing: the entries, parents first, and what was left out (fifos, sockets, devices). */
export interface TreeListing {
  entries: TreeEntry[];
  skipped: string[];
}

/** Longest path Linux resolves (PATH_MAX), and longest name in a directory (NAME_MAX, bytes). */
const PATH_MAX = 4096;
const NAME_MAX = 255;
/** Times beyond what a Date can hold (milliseconds) are not times. */
const TIME_LIMIT = 8.64e15;
/** Setuid and setgid: never taken from a context's word (see untrustedListing). */
const PRIVILEGE_BITS = 0o6000;

const TYPES = new Set(['directory', 'file', 'symlink']);

/** Why `path` is not a plain relative path of names, or undefined when it is. */
function unsafeReason(path: string): string | undefined {
  if (path.length > PATH_MAX) return 'it is longer than PATH_MAX';
  if (path.includes('\0')) return 'it contains a NUL byte';
  if (path.includes('\\')) return 'it contains a backslash';
  if (path.startsWith('/')) return 'it is absolute';
  for (const name of path.split('/')) {
    if (name === '') return 'it has an empty component';
    if (name === '.' || name === '..') return `it has a '${name}' component`;
    if (Buffer.byteLength(name) > NAME_MAX) return 'a component is longer than NAME_MAX';
  }
  return undefined;
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/**
 * Checks that `entries` can be written under a root without reaching outside it: the root first, then
 * relative paths of plain names, each once, each under a directory listed before it (never under a
 * symlink or a file of the listing).
 * @throws ERR_X_REMOTE_UNSAFE_PATH naming `root` (and the entry, in the message).
 */
export function checkTreePaths(entries: readonly TreeEntry[], root: string): void {
  const refuse = (info: FileErrorInfo): never => {
    throw failureError(info);
  };
  if (entries.length === 0 || entries[0]!.path !== '' || entries[0]!.type !== 'directory') refuse(unsafePath(root, 'the listing does not start with its root directory'));
  const kinds = new Map<string, TreeEntry['type']>([['', 'directory']]);
  for (const entry of entries.slice(1)) {
    const shown = JSON.stringify(entry.path.slice(0, 200));
    const reason = entry.path === '' ? 'it names the root again' : unsafeReason(entry.path);
    if (reason !== undefined) refuse(unsafePath(root, `the listing's entry ${shown} is not a path inside the destination: ${reason}`));
    if (kinds.has(entry.path)) refuse(unsafePath(root, `the listing names ${shown} twice`));
    const parent = kinds.get(parentOf(entry.path));
    if (parent === undefined) refuse(unsafePath(root, `the listing's entry ${shown} comes before (or without) its directory`));
    if (parent !== 'directory') refuse(unsafePath(root, `the listing's entry ${shown} lies under ${JSON.stringify(parentOf(entry.path))}, which it declares a ${parent}`));
    kinds.set(entry.path, entry.type);
  }
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= TIME_LIMIT;
}

/** Whether `value` is a byte count: a safe integer, not negative. */
export function isByteCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isMode(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0o7777;
}

/**
 * A listing a context sent, as far as it can be believed: every field of the right type and in range
 * (sizes, modes, times), every path checked by checkTreePaths, and no setuid or setgid bit (a fetch
 * run as root must not make a setuid file because a context said so; give `mode` to set one).
 * @throws ERR_X_REMOTE_FILE_PROTOCOL for a malformed listing, ERR_X_REMOTE_UNSAFE_PATH for an unsafe path.
 */
export function untrustedListing(value: unknown, root: string): TreeListing {
  const malformed = (what: string): never => {
    throw failureError(brokenProtocol(root, `sent a malformed listing (${what})`));
  };
  const { entries, skipped } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!Array.isArray(entries) || !Array.isArray(skipped)) return malformed('no entries or skipped list');
  const checked: TreeEntry[] = [];
  for (const entry of entries as unknown[]) {
    const { path, type, mode, size, atimeMs, mtimeMs, link } = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (typeof path !== 'string' || !TYPES.has(type as string)) return malformed('an entry without a path or a known type');
    if (!isMode(mode) || !isByteCount(size) || !isTime(atimeMs) || !isTime(mtimeMs)) return malformed(`${JSON.stringify(path.slice(0, 200))} has a mode, size or time out of range`);
    const clean: TreeEntry = { path, type: type as TreeEntry['type'], mode: mode & ~PRIVILEGE_BITS, size, atimeMs, mtimeMs };
    if (type === 'symlink') {
      if (typeof link !== 'string' || link === '' || link.length > PATH_MAX || link.includes('\0')) return malformed(`the symlink ${JSON.stringify(path.slice(0, 200))} has no valid target`);
      clean.link = link;
    }
    checked.push(clean);
  }
  for (const name of skipped as unknown[]) {
    if (typeof name !== 'string' || name.length > PATH_MAX) return malformed('a skipped entry that is not a path');
  }
  checkTreePaths(checked, root);
  return { entries: checked, skipped: skipped as string[] };
}
