import { InvalidArgumentError, NoSuchGroupError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { lookupGroup, lookupUser, type PasswdEntry, planCreated } from '../support/accounts.js';
import { absolutePath, accountNameOf, oneOf, optionalBoolean, optionalId, optionsOf } from '../support/args.js';
import { mustRun, run } from '../support/exec.js';

/** What `user` ensures of an account. */
export interface UserOptions {
  uid?: number;
  /** The primary group, by name (it must exist: create it with `group()` first). */
  group?: string;
  /** The supplementary groups, exactly (each must exist); omitted: left as they are. */
  groups?: string[];
  /** The home directory (created with the account; an existing account's is changed, not moved). */
  home?: string;
  /** The login shell, e.g. `'/bin/bash'`. */
  shell?: string;
  /** Create it as a system account (useradd --system, no home made); only used when creating. */
  system?: boolean;
  /** Default `'present'`. */
  state?: 'present' | 'absent';
}

export interface UserResult extends ResourceResult {
  /** The account's uid once present; undefined when absent (or not yet created, under check mode). */
  uid: number | undefined;
}

function groupNames(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgumentError('options.groups', 'an array of group names', value);
  return value.map((name, i) => accountNameOf(`options.groups[${i}]`, name));
}

/** The supplementary groups of `name`, as the name service lists them. */
async function groupsOf(entry: PasswdEntry): Promise<string[]> {
  const listed = await mustRun(['id', '-Gn', entry.name]);
  const primary = await run(['id', '-gn', entry.name]);
  return listed.stdout.trim().split(/\s+/).filter((g) => g !== '' && g !== primary.stdout.trim());
}

/** The usermod/useradd flags for what differs from `found` (everything given, for a new account). */
interface Wanted {
  uid: number | undefined;
  group: string | undefined;
  groups: string[] | undefined;
  home: string | undefined;
  shell: string | undefined;
}

async function differences(found: PasswdEntry | undefined, want: Wanted): Promise<{ flags: string[]; actions: string[] }> {
  const flags: string[] = [];
  const actions: string[] = [];
  if (want.uid !== undefined && found?.uid !== want.uid) flags.push('--uid', String(want.uid)), actions.push(`uid ${want.uid}`);
  if (want.group !== undefined) {
    const primary = await lookupGroup(want.group);
    if (primary === undefined) throw new NoSuchGroupError(want.group);
    if (found?.gid !== primary.gid) flags.push('--gid', want.group), actions.push(`group ${want.group}`);
  }
  if (want.groups !== undefined) {
    for (const name of want.groups) if ((await lookupGroup(name)) === undefined) throw new NoSuchGroupError(name);
    const current = found === undefined ? [] : await groupsOf(found);
    const same = current.length === want.groups.length && want.groups.every((g) => current.includes(g));
    if (!same) flags.push('--groups', want.groups.join(',')), actions.push(`groups ${want.groups.join(',') || '(none)'}`);
  }
  if (want.home !== undefined && found?.home !== want.home) flags.push('--home', want.home), actions.push(`home ${want.home}`);
  if (want.shell !== undefined && found?.shell !== want.shell) flags.push('--shell', want.shell), actions.push(`shell ${want.shell}`);
  return { flags, actions };
}

/**
 * A user account present (useradd, usermod) or absent (userdel; its home and files are left).
 *
 * @example
 * import { group, user } from '@x/ops';
 * await group('app');
 * await user('app', { group: 'app', home: '/srv/app', shell: '/usr/sbin/nologin', system: true });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SUCH_GROUP (a `group` or `groups` entry), ERR_X_OPS_COMMAND_FAILED
 */
export function user(name: string, options?: UserOptions): Promise<UserResult> {
  return perform('user', String(name), async ({ check }) => {
    accountNameOf('name', name);
    const o = optionsOf(options);
    const want: Wanted = {
      uid: optionalId('options.uid', o.uid),
      group: o.group === undefined ? undefined : accountNameOf('options.group', o.group),
      groups: groupNames(o.groups),
      home: o.home === undefined ? undefined : absolutePath('options.home', o.home),
      shell: o.shell === undefined ? undefined : absolutePath('options.shell', o.shell),
    };
    const system = optionalBoolean('options.system', o.system) === true;
    const state = oneOf('options.state', o.state, ['present', 'absent'], 'present');
    const found = await lookupUser(name);
    if (state === 'absent') {
      if (found === undefined) return { changed: false, actions: [], uid: undefined };
      if (!check) await mustRun(['userdel', name]);
      return { changed: true, actions: ['removed'], uid: undefined };
    }
    const { flags, actions } = await differences(found, want);
    if (found === undefined) {
      planCreated('passwd', name);
      if (!check) await mustRun(['useradd', ...(system ? ['--system'] : ['--create-home']), ...flags, name]);
      return { changed: true, actions: ['created'], uid: check ? want.uid : (await lookupUser(name))?.uid };
    }
    if (flags.length === 0) return { changed: false, actions: [], uid: found.uid };
    if (!check) await mustRun(['usermod', ...flags, name]);
    return { changed: true, actions, uid: want.uid ?? found.uid };
  });
}
