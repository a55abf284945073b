import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError, UnsafePathError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { idsOf } from '../support/accounts.js';
import { absolutePath, optionalOwner, optionsOf, type Owner } from '../support/args.js';
import { temporaryName } from '../support/atomic-write.js';
import { described, kindOf, lstatOf, metaActions } from '../support/paths.js';

/** What `symlink` makes of a path. */
export interface SymlinkOptions {
  /** What the link points at, written as given (relative targets resolve from the link's directory). */
  target: string;
  /** The link's own owner and group (lchown), by name or id. */
  owner?: Owner;
  group?: Owner;
}

/**
 * A symbolic link at `path` pointing at `target`. A link pointing elsewhere is replaced atomically (a new
 * link renamed over it); a file, directory or special file there is refused.
 *
 * @example
 * import { symlink } from '@x/ops';
 * await symlink('/srv/app/current', { target: '/srv/app/releases/42' });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SUCH_USER / _GROUP, ERR_X_OPS_UNSAFE_PATH
 */
export function symlink(path: string, options: SymlinkOptions): Promise<ResourceResult> {
  return perform('symlink', String(path), async ({ check }) => {
    absolutePath('path', path);
    const o = optionsOf(options);
    if (typeof o.target !== 'string' || o.target === '' || o.target.includes('\0')) throw new InvalidArgumentError('options.target', 'a non-empty path', o.target);
    const target = o.target;
    const owner = optionalOwner('options.owner', o.owner);
    const group = optionalOwner('options.group', o.group);
    const { uid, gid } = await idsOf(owner, group);
    const want = { uid, gid, ownerName: owner, groupName: group };
    const stat = await lstatOf(path);
    if (stat !== undefined && kindOf(stat) !== 'symlink') throw new UnsafePathError(path, `it is ${described(stat)}; remove it first with absent()`);
    const current = stat === undefined ? undefined : await fs.promises.readlink(path);
    const actions = current === undefined ? ['created'] : current !== target ? [`target ${target}`] : metaActions(stat!, want);
    if (actions.length === 0 || check) return { changed: actions.length > 0, actions };
    if (current !== target) {
      const temporary = join(dirname(path), temporaryName(basename(path), 'link'));
      await fs.promises.symlink(target, temporary);
      try {
        if (uid !== undefined || gid !== undefined) await fs.promises.lchown(temporary, uid ?? -1, gid ?? -1);
        await fs.promises.rename(temporary, path);
      } catch (error) {
        await fs.promises.unlink(temporary).catch(() => {});
        throw error;
      }
    } else {
      await fs.promises.lchown(path, uid ?? -1, gid ?? -1);
    }
    return { changed: true, actions };
  });
}
