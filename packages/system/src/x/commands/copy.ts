import { constants, promises as fs } from 'node:fs';
import { basename, isAbsolute, join, posix, resolve } from 'node:path';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'x copy --on TARGETS [OPTIONS] SRC... DEST';

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
  help: `Pushes each SRC (a file or a directory on this machine; directories with everything in them)
to DEST on every target. DEST must be absolute: a relative path would land in each target's own
working directory.

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

Examples:
  x copy --on @web ./dist /srv/app
  x copy --on local*2 ./config.json /tmp/config.json
  x copy --on 'web1,web2' ./app.tar.gz ./app.env /opt/releases/
  x copy --on ssh://web1/sudo:root --timeout 60000 ./nginx.conf /etc/nginx/nginx.conf`,

  async prepare(positionals, options) {
    if (positionals.length < 2) {
      throw new UsageError(`copy takes one or more SRC and a DEST, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}.`, usage);
    }
    const destination = positionals.at(-1)!;
    if (!posix.isAbsolute(destination)) {
      throw new UsageError(`DEST '${destination}' must be an absolute path: a relative one would land in each target's own working directory.`, usage);
    }
    const sources = positionals.slice(0, -1);
    const into = sources.length > 1 || destination.endsWith('/');
    const copies: Copy[] = [];
    for (const source of sources) {
      const path = isAbsolute(source) ? source : resolve(options.cwd, source);
      const copied: Copy = { source, destination: into ? posix.join(destination, basename(path)) : destination, directory: await checkSource(source, path) };
      const twin = copies.find((other) => other.destination === copied.destination);
      if (twin) throw new UsageError(`'${twin.source}' and '${source}' would both be copied to ${copied.destination}; copy them one at a time.`, usage);
      copies.push({ ...copied, source: path });
    }
    return {
      async work(context, _target, session) {
        const result: CopyResult = { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped: [], copies: [] };
        for (const { source, destination: to, directory } of copies) {
          if (directory) {
            const tree = await context.pushDirectory(source, to, { signal: session.signal });
            result.files += tree.files;
            result.directories += tree.directories;
            result.symlinks += tree.symlinks;
            result.bytes += tree.bytes;
            result.skipped.push(...tree.skipped.map((entry) => join(source, entry)));
            result.copies.push({ source, destination: to, bytes: tree.bytes });
          } else {
            const file = await context.pushFile(source, to, { signal: session.signal }).catch((error: unknown) => {
              // The most likely slip: DEST names a directory that is there, and the file was meant to go in it.
              if (!into && (error as NodeJS.ErrnoException).code === 'EISDIR' && (error as NodeJS.ErrnoException).path === to) {
                (error as Error).message += `; to copy into that directory, end DEST with a slash: ${to.replace(/\/*$/, '/')}`;
              }
              throw error;
            });
            result.files++;
            result.bytes += file.bytes;
            result.copies.push({ source, destination: to, bytes: file.bytes, sha256: file.sha256 });
          }
        }
        return result;
      },
      report(display, outcome) {
        display.lines(display.stdout, outcome.target.name, describe(outcome.result as CopyResult, into ? destination : undefined));
      },
      describe: (outcome) => describe(outcome.result as CopyResult, into ? destination : undefined),
    };
  },
};

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
function describe(result: CopyResult, into: string | undefined): string {
  const parts = [plural(result.files, 'file')];
  if (result.directories) parts.push(plural(result.directories, 'directory', 'directories'));
  if (result.symlinks) parts.push(plural(result.symlinks, 'symlink'));
  parts.push(formatBytes(result.bytes));
  const where = into ?? result.copies[0]!.destination;
  const skipped = result.skipped.length ? `; skipped ${plural(result.skipped.length, 'special file')}: ${result.skipped.join(', ')}` : '';
  return `${parts.join(', ')} to ${where}${skipped}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** `512 B`, `12.0 KiB`, `3.4 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
