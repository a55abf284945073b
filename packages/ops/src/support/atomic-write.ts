// The one way @x/ops writes a file: a temporary created O_EXCL | O_NOFOLLOW beside it, owner and mode set
// on the open temporary, fsync, then rename over the name. A symlink planted at the name is replaced,
// never written through; readers see the old file or the new one, never half of either. The directory
// is held open and, on Linux, names are resolved in it through /proc/self/fd, so a directory swapped
// for a symlink between the check and the rename cannot redirect the write.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';

const { O_RDONLY, O_DIRECTORY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const anchored = process.platform === 'linux' && fs.existsSync('/proc/self/fd');

export interface WriteMeta {
  /** Permission bits of the new file. */
  mode: number;
  uid?: number | undefined;
  gid?: number | undefined;
}

/** A temporary's name beside `name`: hidden, unique, and marked as x's (`.NAME.x-ops-PID-RANDOM.part`). */
export function temporaryName(name: string, suffix = 'part'): string {
  return `.${name}.x-ops-${process.pid}-${randomBytes(4).toString('hex')}.${suffix}`;
}

/** The same error, naming `path` instead of the /proc path or the temporary that was written. */
function naming(error: unknown, path: string, internal: string[]): unknown {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.message !== 'string') return error;
  for (const name of internal) e.message = e.message.replaceAll(name, path);
  e.path = path;
  return e;
}

/**
 * Replaces (or creates) `path` with `data`, atomically: see the module's comment.
 * @throws what open(2), write(2), fchown(2) and rename(2) throw, naming `path`.
 */
export async function writeAtomic(path: string, data: Buffer | string, meta: WriteMeta): Promise<void> {
  const dir = await fs.promises.open(dirname(path), O_RDONLY | O_DIRECTORY);
  const at = (name: string): string => (anchored ? `/proc/self/fd/${dir.fd}/${name}` : join(dirname(path), name));
  const temporary = at(temporaryName(basename(path)));
  try {
    const file = await fs.promises.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await file.writeFile(data);
      // The owner before the mode: chown(2) clears setuid and setgid bits.
      if (meta.uid !== undefined || meta.gid !== undefined) await file.chown(meta.uid ?? -1, meta.gid ?? -1);
      await file.chmod(meta.mode);
      await file.sync();
    } finally {
      await file.close();
    }
    await fs.promises.rename(temporary, at(basename(path)));
    await dir.sync().catch(() => {
      // EINVAL on file systems that cannot: the rename is as durable as they make it.
    });
  } catch (error) {
    await fs.promises.unlink(temporary).catch(() => {});
    throw naming(error, path, [temporary, at(basename(path)), at('')]);
  } finally {
    await dir.close();
  }
}
