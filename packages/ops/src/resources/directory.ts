import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { UnsafePathError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { idsOf } from '../support/accounts.js';
import { absolutePath, optionalBoolean, optionalMode, optionalOwner, optionsOf, type Owner } from '../support/args.js';
import { described, ensureMeta, kindOf, lstatOf } from '../support/paths.js';

/** What `directory` makes of a path. */
export interface DirectoryOptions {
  /** Permission bits, set exactly (the umask does not apply). Default: a new directory's 0o777 less the umask. */
  mode?: number;
  /** Owner and group, by name or id (default: an existing directory's, else the running user's). */
  owner?: Owner;
  group?: Owner;
  /** Create missing parent directories too, as `mkdir -p` does (default true); false: a missing parent is an error (ENOENT). */
  recursive?: boolean;
}

/**
 * A directory at `path` with the mode and owner given. A symlink, file or special file there is refused,
 * not replaced: it may be data (remove it with `absent()` first).
 *
 * @example
 * import { directory } from '@x/ops';
 * await directory('/srv/app', { mode: 0o755, owner: 'app', group: 'app' });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SUCH_USER / _GROUP, ERR_X_OPS_UNSAFE_PATH
 */
export function directory(path: string, options?: DirectoryOptions): Promise<ResourceResult> {
  return perform('directory', String(path), async ({ check }) => {
    absolutePath('path', path);
    const o = optionsOf(options);
    const mode = optionalMode('options.mode', o.mode);
    const owner = optionalOwner('options.owner', o.owner);
    const group = optionalOwner('options.group', o.group);
    const recursive = optionalBoolean('options.recursive', o.recursive) ?? true;
    const { uid, gid } = await idsOf(owner, group);
    const want = { mode, uid, gid, ownerName: owner, groupName: group };
    let stat = await lstatOf(path);
    if (stat !== undefined && kindOf(stat) !== 'directory') throw new UnsafePathError(path, `it is ${described(stat)}; remove it first with absent()`);
    if (stat !== undefined) {
      const actions = await ensureMeta(path, 'directory', stat, want, check);
      return { changed: actions.length > 0, actions };
    }
    if (check) {
      if (!recursive && (await lstatOf(dirname(path))) === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${path}'`), { code: 'ENOENT', path });
      return { changed: true, actions: ['created'] };
    }
    await fs.promises.mkdir(path, { recursive });
    stat = await fs.promises.lstat(path);
    // mkdir's mode passes through the umask: set the one asked for exactly.
    await ensureMeta(path, 'directory', stat, want, false);
    return { changed: true, actions: ['created'] };
  });
}
