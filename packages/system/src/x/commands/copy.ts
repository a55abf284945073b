import { constants, promises as fs } from 'node:fs';
import { basename, isAbsolute, join, posix, resolve } from 'node:path';
import type { DirectoryResult, TransferResult } from '@x/remote';
import type { Command, Job } from '../command.js';
import { type Display, formatBytes } from '../display.js';
import { UsageError } from '../errors.js';
import type { Outcome } from '../runner.js';
import type { Target } from '../targets.js';

const usage = 'x copy --on TARGETS [OPTIONS] [--fetch] SRC... DEST';

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
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  /** Entries of directory SRCs that are neither files, directories nor symlinks (fifos, sockets, devices): not copied. */
  skipped: string[];
  /** Each SRC, where it went, its bytes and, for a file, the sha256 the target checked. */
  copies: { source: string; destination: string; bytes: number; sha256?: string }[];
}

/** `x copy`: push files and directory trees to every target, each file written atomically and checked. */
export const copy: Command = {
  name: 'copy',
  summary: 'push files and directories to every target, each file written atomically and checked',
  usage,
  restAfterFirst: false,
  options: { fetch: { type: 'boolean' } },
  help: `Pushes each SRC (a file or a directory on this machine; directories with everything in them)
to DEST on every target, or with --fetch brings each SRC from every target here. When pushing,
DEST must be absolute: a relative path would land in each target's own working directory.

Where SRC lands:
  one SRC, DEST without a trailing /    SRC becomes DEST: a file is written as DEST, a directory's
                                        content goes into DEST (created if missing, merged if there)
  DEST ending in /, or several SRCs     each SRC goes into DEST as DEST/<name of SRC>

Every file is written to a temporary beside its destination, synced and renamed into place only
once its size and sha256 match what was sent, so a failed copy leaves the old file whole. Files
keep their permission bits (not their owner or times); symlinks inside a directory are copied as
links; fifos, sockets and devices are skipped and listed. Parent directories of a file's DEST must
exist. A target that fails (no space, no permission, unreachable) is reported with the error and
its code while the others go on; with several SRCs, those before the failure stay copied there.
Every SRC is checked here before any target is contacted. Each target's line tells what it got;
with --json, its object carries files, directories, symlinks, bytes, skipped and, per SRC, the
destination, bytes and sha256.

Its own option:
  --fetch            the other way: each SRC is an absolute path on the targets (a file or a
                     directory), and DEST a directory here (created if missing); every target's
                     copies go to DEST/<target name>/<name of SRC>, a / in the name written %2F

Examples:
  x copy --on @web ./dist /srv/app
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
    return own['fetch'] === true ? prepareFetch(sources, destination, options.cwd, display) : preparePush(sources, destination, options.cwd, display);
  },
};

/** Pushing: every SRC checked here, then copied to each target. */
async function preparePush(sources: string[], destination: string, cwd: string, display: Display): Promise<Job> {
  if (!posix.isAbsolute(destination)) {
    throw new UsageError(`DEST '${destination}' must be an absolute path: a relative one would land in each target's own working directory.`, usage);
  }
  const into = sources.length > 1 || destination.endsWith('/');
  const copies: Copy[] = [];
  for (const source of sources) {
    const path = isAbsolute(source) ? source : resolve(cwd, source);
    const copied: Copy = { source, destination: into ? posix.join(destination, basename(path)) : destination, directory: await checkSource(source, path) };
    twinCheck(copies, copied);
    copies.push({ ...copied, source: path });
  }
  return job(async (context, _target, session) => {
    const result = emptyResult();
    for (const { source, destination: to, directory } of copies) {
      if (directory) {
        addTree(result, source, to, await context.pushDirectory(source, to, { signal: session.signal, onProgress: progress(display) }));
        continue;
      }
      const file = await context.pushFile(source, to, { signal: session.signal, onProgress: progress(display) }).catch((error: unknown) => {
        // The most likely slip: DEST names a directory that is there, and the file was meant to go in it.
        if (!into && (error as NodeJS.ErrnoException).code === 'EISDIR' && (error as NodeJS.ErrnoException).path === to) {
          (error as Error).message += `; to copy into that directory, end DEST with a slash: ${to.replace(/\/*$/, '/')}`;
        }
        throw error;
      });
      addFile(result, source, to, file);
    }
    return result;
  }, (result) => (into ? destination : result.copies[0]!.destination));
}

/** Fetching: each target's SRCs land in DEST/<target name>/, a file or a tree as each turns out to be. */
async function prepareFetch(sources: string[], destination: string, cwd: string, display: Display): Promise<Job> {
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
    for (const { source, destination: name } of copies) {
      const to = join(into, name);
      try {
        addFile(result, source, to, await context.fetchFile(source, to, { signal: session.signal, onProgress: progress(display) }));
      } catch (error) {
        // No stat first: a SRC is a file far more often, and a directory says so at once.
        if ((error as NodeJS.ErrnoException).code !== 'EISDIR' || (error as NodeJS.ErrnoException).path !== source) throw error;
        addTree(result, source, to, await context.fetchDirectory(source, to, { signal: session.signal, onProgress: progress(display) }));
      }
    }
    return result;
  }, (_result, target) => `${join(root, directoryName(target.name))}/`);
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
function job(work: Job['work'], where: (result: CopyResult, target: Target) => string): Job {
  const line = (outcome: Outcome) => describe(outcome.result as CopyResult, where(outcome.result as CopyResult, outcome.target));
  return {
    work,
    report: (display, outcome) => display.lines(display.stdout, outcome.target.name, line(outcome)),
    describe: line,
  };
}

function emptyResult(): CopyResult {
  return { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [], copies: [] };
}

function addFile(result: CopyResult, source: string, destination: string, file: TransferResult): void {
  result.files++;
  result.bytes += file.bytes;
  result.copies.push({ source, destination, bytes: file.bytes, sha256: file.sha256 });
}

function addTree(result: CopyResult, source: string, destination: string, tree: DirectoryResult): void {
  result.files += tree.files;
  result.directories += tree.directories;
  result.symlinks += tree.symlinks;
  result.bytes += tree.bytes;
  result.skipped.push(...tree.skipped.map((entry) => posix.join(source, entry)));
  result.copies.push({ source, destination, bytes: tree.bytes });
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

/** `3 files, 1 directory, 12.0 KiB to /srv/app/` (with what was skipped). */
function describe(result: CopyResult, where: string): string {
  const parts = [plural(result.files, 'file')];
  if (result.directories) parts.push(plural(result.directories, 'directory', 'directories'));
  if (result.symlinks) parts.push(plural(result.symlinks, 'symlink'));
  parts.push(formatBytes(result.bytes));
  const skipped = result.skipped.length ? `; skipped ${plural(result.skipped.length, 'special file')}: ${result.skipped.join(', ')}` : '';
  return `${parts.join(', ')} to ${where}${skipped}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

