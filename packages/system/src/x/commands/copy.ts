import { constants, promises as fs } from 'node:fs';
import { basename, isAbsolute, join, posix, resolve } from 'node:path';
import type { DirectoryResult, FileOptions, TransferResult } from '@x/remote';
import type { Command, Job } from '../command.js';
import { type Display, formatBytes } from '../display.js';
import { UsageError } from '../errors.js';
import type { Outcome } from '../runner.js';
import type { Target } from '../targets.js';
import type { Owner } from '../../copy-task.js';

const usage = 'x copy --on TARGETS [OPTIONS] [--fetch] SRC... DEST';

// Built next to this module as dist/copy-task.js; @x/remote ships it to each target on the first call.
const copyTask = new URL('./copy-task.js', import.meta.url);

/** A SRC of `x copy` that cannot be copied: missing, unreadable, or neither a file nor a directory. */
export class CopySourceError extends UsageError {
  override readonly code = 'ERR_X_COPY_SOURCE';
}
Object.defineProperty(CopySourceError.prototype, 'name', { value: 'CopySourceError' });

/** One SRC as checked here, and where it lands on every target. */
interface Copy {
  source: string;
  destination: string;
  directory: boolean;
}

/** What `x copy` did on one target, summed over its SRCs. */
export interface CopyResult {
  /** Files of the SRCs: `changed` were written, `unchanged` were there already (same size and checksum) and left alone. */
  files: number;
  changed: number;
  unchanged: number;
  directories: number;
  symlinks: number;
  bytes: number;
  /** Entries removed because the SRC trees lack them (--delete). */
  deleted: number;
  /** Entries of directory SRCs that are neither files, directories nor symlinks (fifos, sockets, devices): not copied. */
  skipped: string[];
  /** Each SRC, where it went, its bytes, its files written and left alone, and for a file the checksum and digest both ends agreed on. */
  copies: { source: string; destination: string; bytes: number; changed: number; unchanged: number; deleted: number; checksum?: string; digest?: string }[];
}

/** What every transfer of one `x copy` is given, beside its signal and progress. */
interface CopyOptions {
  delete: boolean;
  /** --owner as given: names or ids, resolved on each target. */
  owner: { user?: string; group?: string } | undefined;
}

/** `x copy`: push files and directory trees to every target, each file written atomically and checked. */
export const copy: Command = {
  name: 'copy',
  summary: 'push files and directories to every target, each file written atomically and checked',
  usage,
  restAfterFirst: false,
  options: { fetch: { type: 'boolean' }, delete: { type: 'boolean' }, owner: { type: 'string' } },
  help: `Pushes each SRC (a file or a directory on this machine; directories with everything in them)
to DEST on every target, or with --fetch brings each SRC from every target here. When pushing,
DEST must be absolute: a relative path would land in each target's own working directory.

Where SRC lands:
  one SRC, DEST without a trailing /    SRC becomes DEST: a file is written as DEST, a directory's
                                        content goes into DEST (created if missing, merged if there)
  DEST ending in /, or several SRCs     each SRC goes into DEST as DEST/<name of SRC>

Copying is idempotent: a file the destination already has (a regular file of the same size and
xxh3-128 checksum) is left alone and counted unchanged. Every other file is written to a temporary
beside its destination, synced and renamed into place only once its size and checksum match what
was sent, so a failed copy leaves the old file whole. A new file gets the source's permission bits;
a replaced one keeps its own mode and owner (the owner where the target's user may give it: root
may). Symlinks inside a directory are copied as links; fifos, sockets and devices are skipped and
listed. Missing directories above DEST are made as mkdir -p makes them (0755 with the usual umask);
with one file SRC and no trailing slash, DEST's directory must exist. A target that fails (no space,
no permission, unreachable) is reported with the error and its code while the others go on; with
several SRCs, those before the failure stay copied there. Every SRC is checked here before any
target is contacted. Each target's line tells what it got, changed and unchanged; with --json, its
object carries files, changed, unchanged, deleted, directories, symlinks, bytes, skipped and, per
SRC, the destination, bytes, changed and unchanged files, and for a file its checksum and digest.

Its own options:
  --delete           remove from each directory SRC's destination what the SRC lacks (counted
                     as deleted); never anything outside it, and never a destination that is /
                     or the target user's home directory
  --owner USER:GROUP give every written file this owner (USER, USER:GROUP or :GROUP; names are
                     resolved on each target, numbers taken as ids); changing it needs the
                     right to, e.g. root through sudo
  --fetch            the other way: each SRC is an absolute path on the targets (a file or a
                     directory), and DEST a directory here (created if missing); every target's
                     copies go to DEST/<target name>/<name of SRC>, a / in the name written %2F

Examples:
  x copy --on @web ./dist /srv/app
  x copy --on @web --delete --owner www-data:www-data ./dist/ /srv/app
  x copy --on local*2 ./config.json /tmp/config.json
  x copy --on 'web1,web2' ./app.tar.gz ./app.env /opt/releases/
  x copy --on ssh://web1/sudo:root --timeout 60000 ./nginx.conf /etc/nginx/nginx.conf
  x copy --on @web --fetch /var/log/nginx /etc/os-release ./collected`,

  async prepare(positionals, options, display, own) {
    if (positionals.length < 2) {
      throw new UsageError(`copy takes one or more SRC and a DEST, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}.`, usage);
    }
    const sources = positionals.slice(0, -1);
    const destination = positionals.at(-1)!;
    const copyOptions: CopyOptions = { delete: own['delete'] === true, owner: ownerOf(own['owner'] as string | undefined) };
    if (own['fetch'] === true) {
      if (copyOptions.owner !== undefined) throw new UsageError('--owner is for pushing: the files --fetch brings are written here as yours.', usage);
      return prepareFetch(sources, destination, options.cwd, display, copyOptions);
    }
    return preparePush(sources, destination, options.cwd, display, copyOptions);
  },
};

/** --owner's USER, USER:GROUP or :GROUP, each a name or a numeric id. */
function ownerOf(text: string | undefined): CopyOptions['owner'] {
  if (text === undefined) return undefined;
  const match = /^([^:\s]*)(?::([^:\s]*))?$/.exec(text);
  const name = /^(?:\d+|[A-Za-z_][A-Za-z0-9_.-]*\$?)$/;
  const [user, group] = match === null ? [] : [match[1] || undefined, match[2] || undefined];
  if (match === null || (user === undefined && group === undefined) || (user !== undefined && !name.test(user)) || (group !== undefined && !name.test(group))) {
    throw new UsageError(`--owner takes USER, USER:GROUP or :GROUP (names or numeric ids), got '${text}'.`, usage);
  }
  return { ...(user === undefined ? {} : { user }), ...(group === undefined ? {} : { group }) };
}

/** Pushing: every SRC checked here, then copied to each target. */
async function preparePush(sources: string[], destination: string, cwd: string, display: Display, copyOptions: CopyOptions): Promise<Job> {
  if (!posix.isAbsolute(destination)) {
    throw new UsageError(`DEST '${destination}' must be an absolute path: a relative one would land in each target's own working directory.`, usage);
  }
  const into = sources.length > 1 || destination.endsWith('/');
  const copies: Copy[] = [];
  for (const source of sources) {
    const path = isAbsolute(source) ? source : resolve(cwd, source);
    const copied: Copy = { source, destination: into ? posix.join(destination, basename(path)) : destination, directory: await checkSource(source, path) };
    if (copyOptions.delete && copied.directory && posix.normalize(copied.destination) === '/') {
      throw new UsageError(`--delete would remove everything in / that '${source}' lacks; copy into a directory below it.`, usage);
    }
    twinCheck(copies, copied);
    copies.push({ ...copied, source: path });
  }
  return job(async (context, _target, session) => {
    const result = emptyResult();
    const { user, group } = copyOptions.owner ?? {};
    const owner = copyOptions.owner === undefined ? undefined : await context.withOptions({ signal: session.signal }).call<Owner>(copyTask, 'resolveOwner', user, group);
    // DEST/ is a directory to copy into, whatever the order of the SRCs: made first, as mkdir -p would.
    if (into) await context.withOptions({ signal: session.signal }).call(copyTask, 'makeDirectory', destination);
    const transfer = (): FileOptions => ({ signal: session.signal, onProgress: progress(display), skipUnchanged: true, delete: copyOptions.delete, ...(owner === undefined ? {} : { owner }) });
    for (const { source, destination: to, directory } of copies) {
      if (directory) {
        addTree(result, source, to, await context.pushDirectory(source, to, transfer()));
        continue;
      }
      const file = await context.pushFile(source, to, transfer()).catch((error: unknown) => {
        // The most likely slip: DEST names a directory that is there, and the file was meant to go in it.
        if (!into && (error as NodeJS.ErrnoException).code === 'EISDIR' && (error as NodeJS.ErrnoException).path === to) {
          (error as Error).message += `; to copy into that directory, end DEST with a slash: ${to.replace(/\/*$/, '/')}`;
        }
        throw error;
      });
      addFile(result, source, to, file);
    }
    return result;
  }, (result) => (into ? destination : result.copies[0]!.destination), copyOptions);
}

/** Fetching: each target's SRCs land in DEST/<target name>/, a file or a tree as each turns out to be. */
async function prepareFetch(sources: string[], destination: string, cwd: string, display: Display, copyOptions: CopyOptions): Promise<Job> {
  const root = isAbsolute(destination) ? destination : resolve(cwd, destination);
  const found = await fs.stat(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UsageError(`DEST '${destination}' cannot be used here [${error.code}]: ${error.message}`, usage);
  });
  if (found && !found.isDirectory()) throw new UsageError(`DEST '${destination}' is not a directory: with --fetch, each target's files go to DEST/<target name>/.`, usage);
  const copies: Copy[] = [];
  for (const source of sources) {
    if (!posix.isAbsolute(source) || posix.basename(source) === '') {
      throw new UsageError(`SRC '${source}' must be an absolute path on the targets, with a name to give the copy (not /).`, usage);
    }
    const copied: Copy = { source, destination: posix.basename(source), directory: false };
    twinCheck(copies, copied);
    copies.push(copied);
  }
  return job(async (context, target, session) => {
    const result = emptyResult();
    const into = join(root, directoryName(target.name));
    await fs.mkdir(into, { recursive: true });
    const transfer = (): FileOptions => ({ signal: session.signal, onProgress: progress(display), skipUnchanged: true, delete: copyOptions.delete });
    for (const { source, destination: name } of copies) {
      const to = join(into, name);
      try {
        addFile(result, source, to, await context.fetchFile(source, to, transfer()));
      } catch (error) {
        // No stat first: a SRC is a file far more often, and a directory says so at once.
        if ((error as NodeJS.ErrnoException).code !== 'EISDIR' || (error as NodeJS.ErrnoException).path !== source) throw error;
        addTree(result, source, to, await context.fetchDirectory(source, to, transfer()));
      }
    }
    return result;
  }, (_result, target) => `${join(root, directoryName(target.name))}/`, copyOptions);
}

/** One transfer's progress reports (bytes so far) as increments of the progress line's byte count. */
function progress(display: Display): (bytes: number) => void {
  let reported = 0;
  return (bytes) => {
    display.addBytes(bytes - reported);
    reported = bytes;
  };
}

/**
 * A target's own directory under DEST: its name with `%` and `/` percent-encoded, so that names stay
 * readable (`local-1`, `deploy@web1:2222`) and two targets never share one (`ssh:%2F%2Fweb1%2Fsudo:root`).
 */
export function directoryName(target: string): string {
  return target.replace(/[%/]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function twinCheck(copies: Copy[], copied: Copy): void {
  const twin = copies.find((other) => other.destination === copied.destination);
  if (twin) throw new UsageError(`'${twin.source}' and '${copied.source}' would both be copied to ${copied.destination}; copy them one at a time.`, usage);
}

/** The job of either direction: `where` names the place a target's copies went, for its line. */
function job(work: Job['work'], where: (result: CopyResult, target: Target) => string, copyOptions: CopyOptions): Job {
  const line = (outcome: Outcome) => describe(outcome.result as CopyResult, where(outcome.result as CopyResult, outcome.target), copyOptions.delete);
  return {
    work,
    report: (display, outcome) => display.lines(display.stdout, outcome.target.name, line(outcome)),
    describe: line,
  };
}

function emptyResult(): CopyResult {
  return { files: 0, changed: 0, unchanged: 0, directories: 0, symlinks: 0, bytes: 0, deleted: 0, skipped: [], copies: [] };
}

function addFile(result: CopyResult, source: string, destination: string, file: TransferResult): void {
  const changed = file.changed ? 1 : 0;
  result.files++;
  result.changed += changed;
  result.unchanged += 1 - changed;
  result.bytes += file.bytes;
  result.copies.push({ source, destination, bytes: file.bytes, changed, unchanged: 1 - changed, deleted: 0, checksum: file.checksum, digest: file.digest });
}

function addTree(result: CopyResult, source: string, destination: string, tree: DirectoryResult): void {
  const changed = tree.files - tree.unchanged;
  result.files += tree.files;
  result.changed += changed;
  result.unchanged += tree.unchanged;
  result.directories += tree.directories;
  result.symlinks += tree.symlinks;
  result.bytes += tree.bytes;
  result.deleted += tree.deleted;
  result.skipped.push(...tree.skipped.map((entry) => posix.join(source, entry)));
  result.copies.push({ source, destination, bytes: tree.bytes, changed, unchanged: tree.unchanged, deleted: tree.deleted });
}

/**
 * Checks that SRC exists here, is a file or a directory (a symlink counts as what it points to) and
 * can be read.
 *
 * @returns whether it is a directory.
 * @throws CopySourceError (`ERR_X_COPY_SOURCE`) otherwise: no target is contacted then.
 */
async function checkSource(source: string, path: string): Promise<boolean> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile() && !stat.isDirectory()) throw new CopySourceError(`SRC '${source}' is neither a file nor a directory; x copy copies only those.`);
    await fs.access(path, stat.isDirectory() ? constants.R_OK | constants.X_OK : constants.R_OK);
    return stat.isDirectory();
  } catch (error) {
    if (error instanceof CopySourceError) throw error;
    const { code } = error as NodeJS.ErrnoException;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${(error as Error).message})`;
    throw new CopySourceError(`SRC '${source}' ${why} here [${code ?? 'unknown'}]; no target was contacted.`);
  }
}

/** `3 files (1 changed, 2 unchanged), 1 directory, 12.0 KiB to /srv/app/` (with what was deleted and skipped). */
function describe(result: CopyResult, where: string, deleting: boolean): string {
  const counts = [result.changed ? `${result.changed} changed` : '', result.unchanged ? `${result.unchanged} unchanged` : ''].filter(Boolean);
  const parts = [`${plural(result.files, 'file')}${counts.length ? ` (${counts.join(', ')})` : ''}`];
  if (result.directories) parts.push(plural(result.directories, 'directory', 'directories'));
  if (result.symlinks) parts.push(plural(result.symlinks, 'symlink'));
  parts.push(formatBytes(result.bytes));
  if (deleting) parts.push(`${result.deleted} deleted`);
  const skipped = result.skipped.length ? `; skipped ${plural(result.skipped.length, 'special file')}: ${result.skipped.join(', ')}` : '';
  return `${parts.join(', ')} to ${where}${skipped}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

