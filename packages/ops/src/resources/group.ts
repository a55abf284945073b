import { perform, type ResourceResult } from '../run.js';
import { lookupGroup, planCreated } from '../support/accounts.js';
import { accountNameOf, oneOf, optionalBoolean, optionalId, optionsOf } from '../support/args.js';
import { mustRun } from '../support/exec.js';

/** What `group` ensures of a group. */
export interface GroupOptions {
  /** The group id (changed with groupmod when the group exists with another). */
  gid?: number;
  /** Create it as a system group (groupadd --system); only used when creating. */
  system?: boolean;
  /** Default `'present'`. */
  state?: 'present' | 'absent';
}

export interface GroupResult extends ResourceResult {
  /** The group's id once present; undefined when absent (or not yet created, under check mode). */
  gid: number | undefined;
}

/**
 * A group present (groupadd, groupmod) or absent (groupdel).
 *
 * @example
 * import { group } from '@x/ops';
 * await group('app', { system: true });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_COMMAND_FAILED (groupadd's status and output)
 */
export function group(name: string, options?: GroupOptions): Promise<GroupResult> {
  return perform('group', String(name), async ({ check }) => {
    accountNameOf('name', name);
    const o = optionsOf(options);
    const gid = optionalId('options.gid', o.gid);
    const system = optionalBoolean('options.system', o.system) === true;
    const state = oneOf('options.state', o.state, ['present', 'absent'], 'present');
    const found = await lookupGroup(name);
    if (state === 'absent') {
      if (found === undefined) return { changed: false, actions: [], gid: undefined };
      if (!check) await mustRun(['groupdel', name]);
      return { changed: true, actions: ['removed'], gid: undefined };
    }
    if (found === undefined) {
      planCreated('group', name);
      if (!check) await mustRun(['groupadd', ...(gid === undefined ? [] : ['--gid', String(gid)]), ...(system ? ['--system'] : []), name]);
      return { changed: true, actions: ['created'], gid: check ? gid : (await lookupGroup(name))?.gid };
    }
    if (gid === undefined || found.gid === gid) return { changed: false, actions: [], gid: found.gid };
    if (!check) await mustRun(['groupmod', '--gid', String(gid), name]);
    return { changed: true, actions: [`gid ${gid}`], gid };
  });
}
