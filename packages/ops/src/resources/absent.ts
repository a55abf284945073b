import * as fs from 'node:fs';
import { InvalidArgumentError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { absolutePath } from '../support/args.js';
import { kindOf, lstatOf } from '../support/paths.js';

/**
 * Nothing at `path`: a file, symlink (the link, never its target) or directory with everything in it is
 * removed.
 *
 * @example
 * import { absent } from '@x/ops';
 * await absent('/etc/nginx/sites-enabled/default');
 * @throws ERR_X_INVALID_ARG (a relative path, or `/`)
 */
export function absent(path: string): Promise<ResourceResult> {
  return perform('absent', String(path), async ({ check }) => {
    absolutePath('path', path);
    if (path.replace(/\/+$/, '') === '') throw new InvalidArgumentError('path', 'a path other than /', path);
    const stat = await lstatOf(path);
    if (stat === undefined) return { changed: false, actions: [] };
    const actions = [kindOf(stat) === 'directory' ? 'removed directory' : 'removed'];
    // rm(2) with recursive lstat()s each entry: a symlink inside is removed, not descended into.
    if (!check) await fs.promises.rm(path, { recursive: true, force: true });
    return { changed: true, actions };
  });
}
