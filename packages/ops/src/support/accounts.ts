// Users and groups by name, as the host's name service knows them: /etc/passwd and /etc/group first
// (what useradd writes), then getent for the names only NSS knows (LDAP, sssd).
import * as fs from 'node:fs';
import { NoSuchGroupError, NoSuchUserError } from '../errors.js';
import type { Owner } from './args.js';
import { currentRun } from '../run.js';
import { run } from './exec.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

function lines(text: string, name: string): string[] | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
  return line?.split(':');
}

async function entry(database: 'passwd' | 'group', name: string): Promise<string[] | undefined> {
  try {
    const found = lines(await fs.promises.readFile(`/etc/${database}`, 'utf8'), name);
    if (found !== undefined) return found;
  } catch {
    // No such file: ask getent.
  }
  const asked = await run(['getent', database, name]).catch(() => undefined);
  return asked?.exitCode === 0 ? lines(asked.stdout, name) : undefined;
}

/**
 * Under check mode, records that `user()` or `group()` would have created the account: a later resource
 * of the same run that names it (an owner, a primary group) then reports its change instead of failing
 * on an account that only the real apply makes.
 */
export function planCreated(database: 'passwd' | 'group', name: string): void {
  const state = currentRun();
  if (state?.check) (state.planned ??= new Set()).add(`${database}:${name}`);
}

/** An account check mode planned: id -1, which no file has, so a resource that names it reports a change. */
function planned(database: 'passwd' | 'group', name: string): boolean {
  return currentRun()?.planned?.has(`${database}:${name}`) === true;
}

export async function lookupUser(name: string): Promise<PasswdEntry | undefined> {
  const fields = await entry('passwd', name);
  if (fields === undefined && planned('passwd', name)) return { name, uid: -1, gid: -1, home: '', shell: '' };
  if (fields === undefined || fields.length < 7) return undefined;
  return { name, uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5]!, shell: fields[6]! };
}

export async function lookupGroup(name: string): Promise<GroupEntry | undefined> {
  const fields = await entry('group', name);
  if (fields === undefined && planned('group', name)) return { name, gid: -1, members: [] };
  if (fields === undefined || fields.length < 4) return undefined;
  return { name, gid: Number(fields[2]), members: fields[3]!.split(',').filter(Boolean) };
}

/** @throws ERR_X_OPS_NO_SUCH_USER */
export async function uidOf(owner: Owner): Promise<number> {
  if (typeof owner === 'number') return owner;
  const found = await lookupUser(owner);
  if (found === undefined) throw new NoSuchUserError(owner);
  return found.uid;
}

/** @throws ERR_X_OPS_NO_SUCH_GROUP */
export async function gidOf(group: Owner): Promise<number> {
  if (typeof group === 'number') return group;
  const found = await lookupGroup(group);
  if (found === undefined) throw new NoSuchGroupError(group);
  return found.gid;
}

/** The ids that `owner` and `group` options name, resolved before anything changes. */
export async function idsOf(owner: Owner | undefined, group: Owner | undefined): Promise<{ uid: number | undefined; gid: number | undefined }> {
  return { uid: owner === undefined ? undefined : await uidOf(owner), gid: group === undefined ? undefined : await gidOf(group) };
}
