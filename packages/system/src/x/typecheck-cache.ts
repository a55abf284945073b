// A passed site typecheck is remembered so that the next `x apply` of an unchanged site skips it:
// loading TypeScript and Node's types costs seconds of CPU, more than applying a small site.
//
// Soundness rests on one rule: TypeScript sees the file system only through the probes below (file
// and directory existence, directory listings, real paths, file contents), and every answer it got is
// recorded. The check's result is a function of those answers, the TypeScript build and the options,
// so when every probe answers the same again the check would pass again. That covers what a list of
// the program's files alone would miss: a new `foo.ts` shadowing `foo/index.ts`, or a package added to
// node_modules, changes the answer of a probe that resolution made (`foo.ts` did not exist). Verifying
// needs no TypeScript: a cache hit costs a stat per probe, and a hash of each file read unless its stamp
// (device, inode, size, modification and change times to the nanosecond) is the one seen when it was
// read. The change time is the kernel's, moved by any write and by no utimes(2); a stamp is kept only
// for a file unchanged for a second before it was read, since a write within the file system's clock
// tick of the read could leave the stamp as it was (git's "racy" files).
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** Bumped when what an entry records, or how a probe answers, changes: older entries are then misses. */
const format = 3;

/** Each kind of probe with the function that answers it, the same when recording and when verifying. */
const probes = {
  exists: (path: string): boolean => stat(path)?.isFile() ?? false,
  dirs: (path: string): boolean => stat(path)?.isDirectory() ?? false,
  listings: (path: string): string[] => {
    try {
      return readdirSync(path, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && probes.dirs(join(path, entry.name))))
        .map((entry) => entry.name)
        .sort();
    } catch {
      return [];
    }
  },
  realpaths: (path: string): string => {
    try {
      return realpathSync.native(path);
    } catch {
      return path;
    }
  },
  files: (path: string): string | null => {
    const bytes = read(path);
    return bytes === undefined ? null : digest(bytes);
  },
};

type Kind = keyof typeof probes;
type Answer = ReturnType<(typeof probes)[Kind]>;

function stat(path: string) {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** A regular file's bytes: a device or a FIFO (named by a foreign entry) is never read, it may not end. */
function read(path: string): Buffer | undefined {
  if (stat(path)?.isFile() !== true) return undefined;
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** A file's stamp, when it has one worth keeping: unchanged for a second before now. */
function stampOf(path: string, requireSettled: boolean): string | undefined {
  try {
    const info = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (info === undefined || !info.isFile()) return undefined;
    if (requireSettled && BigInt(Date.now()) * 1_000_000n - info.ctimeNs < 1_000_000_000n) return undefined;
    return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
  } catch {
    return undefined;
  }
}

function digest(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** A file's text as TypeScript's own reader decodes it: a byte order mark selects UTF-16 or is dropped. */
function decode(bytes: Buffer): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(0, bytes.length & ~1));
    return swapped.swap16().toString('utf16le', 2);
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.toString('utf16le', 2);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.toString('utf8', 3);
  return bytes.toString('utf8');
}

/**
 * The file system functions to give TypeScript's hosts (the config file parser's and the compiler's):
 * each answer is recorded. When one path is probed twice with different answers (it changed while
 * TypeScript ran), the recording is `unstable` and is not saved.
 */
export class ProbeRecorder {
  readonly answers: { [K in Kind]: Map<string, Answer> } = { exists: new Map(), dirs: new Map(), listings: new Map(), realpaths: new Map(), files: new Map() };
  /** The stamps of files read, taken before each read (a write after it changes the stamp). */
  readonly stamps = new Map<string, string>();
  unstable = false;

  readonly fileExists = (path: string): boolean => this.note('exists', path, probes.exists(path));
  readonly directoryExists = (path: string): boolean => this.note('dirs', path, probes.dirs(path));
  readonly getDirectories = (path: string): string[] => this.note('listings', path, probes.listings(path));
  readonly realpath = (path: string): string => this.note('realpaths', path, probes.realpaths(path));
  readonly readFile = (path: string): string | undefined => {
    const stamp = this.stamps.has(path) ? undefined : stampOf(path, true);
    if (stamp !== undefined) this.stamps.set(path, stamp);
    const bytes = read(path);
    this.note('files', path, bytes === undefined ? null : digest(bytes));
    return bytes === undefined ? undefined : decode(bytes);
  };

  private note<T extends Answer>(kind: Kind, path: string, answer: T): T {
    const earlier = this.answers[kind].get(path);
    if (earlier === undefined) this.answers[kind].set(path, answer);
    else if (JSON.stringify(earlier) !== JSON.stringify(answer)) this.unstable = true;
    return answer;
  }
}

/** What identifies a check besides the probes: the site, the TypeScript build, the options. */
export type CheckKey = Record<string, string>;

interface Entry {
  format: number;
  key: string;
  answers: { [K in Kind]: [string, Answer][] };
  stamps: [string, string][];
}

/**
 * The directory entries live in: `$XDG_CACHE_HOME/x`, else `~/.cache/x`, else (the home directory not
 * writable) a per-user directory in the temporary directory. Each must be a real directory of this
 * user's, kept at mode 0700; none qualifying means no caching.
 */
function cacheDir(): string | undefined {
  const xdg = process.env.XDG_CACHE_HOME;
  const uid = process.getuid?.();
  const candidates = [
    xdg !== undefined && isAbsolute(xdg) ? join(xdg, 'x') : join(homedir(), '.cache', 'x'),
    join(tmpdir(), `x-cache-${uid ?? 'user'}`),
  ];
  for (const dir of candidates) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const info = lstatSync(dir);
      if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
      if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
      return dir;
    } catch {
      // Not creatable here (HOME read-only or not a directory): the next candidate.
    }
  }
  return undefined;
}

function entryPath(dir: string, key: CheckKey): string {
  return join(dir, `typecheck-${createHash('sha256').update(key.site ?? '').digest('hex').slice(0, 32)}.json`);
}

function serialize(key: CheckKey): string {
  return JSON.stringify(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Whether `value` is an entry of this format; anything else (corrupt, foreign, older) is a miss. */
function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Partial<Entry>;
  if (entry.format !== format || typeof entry.key !== 'string' || typeof entry.answers !== 'object' || entry.answers === null) return false;
  const shapes: { [K in Kind]: (answer: unknown) => boolean } = {
    exists: (answer) => typeof answer === 'boolean',
    dirs: (answer) => typeof answer === 'boolean',
    listings: (answer) => Array.isArray(answer) && answer.every((name) => typeof name === 'string'),
    realpaths: (answer) => typeof answer === 'string',
    files: (answer) => answer === null || (typeof answer === 'string' && /^[0-9a-f]{40}$/.test(answer)),
  };
  /** `[path, value]` pairs whose values `shape` accepts. */
  const pathPairs = (pairs: unknown, shape: (value: unknown) => boolean) =>
    Array.isArray(pairs) && pairs.every((pair: unknown) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && shape(pair[1]));
  return pathPairs(entry.stamps, (stamp) => typeof stamp === 'string') && (Object.keys(shapes) as Kind[]).every((kind) => pathPairs(entry.answers?.[kind], shapes[kind]));
}

/** Whether a passed check of `key` is recorded and every probe it made answers the same now. */
export function isCached(key: CheckKey): boolean {
  const dir = cacheDir();
  if (dir === undefined) return false;
  let entry: unknown;
  try {
    entry = JSON.parse(readFileSync(entryPath(dir, key), 'utf8'));
  } catch {
    return false;
  }
  if (!isEntry(entry) || entry.key !== serialize(key)) return false;
  // Contents last: hashing is the costly probe, and any other changed answer decides it first.
  const order: Kind[] = ['exists', 'dirs', 'realpaths', 'listings'];
  if (!order.every((kind) => entry.answers[kind].every(([path, answer]) => JSON.stringify(probes[kind](path)) === JSON.stringify(answer)))) return false;
  const stamps = new Map(entry.stamps);
  return entry.answers.files.every(([path, answer]) => {
    const stamp = stamps.get(path);
    if (stamp !== undefined && answer !== null && stampOf(path, false) === stamp) return true;
    return probes.files(path) === answer;
  });
}

/** Records a passed check (best effort: a cache that cannot be written only costs the next check). */
export function recordPassed(key: CheckKey, recorder: ProbeRecorder): void {
  if (recorder.unstable) return;
  const dir = cacheDir();
  if (dir === undefined) return;
  const entry: Entry = {
    format,
    key: serialize(key),
    answers: {
      exists: [...recorder.answers.exists],
      dirs: [...recorder.answers.dirs],
      listings: [...recorder.answers.listings],
      realpaths: [...recorder.answers.realpaths],
      files: [...recorder.answers.files],
    },
    stamps: [...recorder.stamps],
  };
  const path = entryPath(dir, key);
  // Written aside and renamed over: a reader sees the old entry or the new, never half of one.
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, JSON.stringify(entry), { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created.
    }
  }
}
