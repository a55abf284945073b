import { resolve } from 'node:path';
import { InvalidArgumentError } from './errors.js';

/**
 * The working directory as the user named it: `PWD` when it is set (it keeps symbolic links, as a shell
 * shows them), otherwise `process.cwd()`.
 *
 * @example
 * import { fsPwd } from '@x/process';
 * console.log(fsPwd()); // /home/me/project, even when /home is a link
 */
export function fsPwd(): string {
  const pwd = process.env.PWD;
  return pwd ? pwd : process.cwd();
}

/**
 * Changes the working directory and `PWD` together, so children (which inherit both) and `fsPwd()` agree.
 * A relative `dir` is resolved against `fsPwd()`, as a shell's `cd` does.
 *
 * @returns the new working directory, as `fsPwd()` now gives it.
 * @throws `ENOENT`/`ENOTDIR`/`EACCES` (from `process.chdir`); `PWD` is left as it was.
 * @throws `ERR_X_INVALID_ARG` for an empty or non-string `dir`.
 * @example
 * import { fsChdir } from '@x/process';
 * fsChdir('/tmp'); // '/tmp'
 */
export function fsChdir(dir: string): string {
  if (typeof dir !== 'string' || dir === '') throw new InvalidArgumentError('dir', 'a non-empty path string', dir);
  const target = resolve(fsPwd(), dir);
  process.chdir(target);
  process.env.PWD = target;
  return target;
}
