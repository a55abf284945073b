// Shipped to every target by `x copy` and run there: it may import only node: builtins, which come
// from the target's own Node (anything else would travel with it on the first call).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

/** Makes `path` and its missing parents as `mkdir -p` does (0o777 less the umask). */
export function makeDirectory(path: string): void {
  mkdirSync(path, { recursive: true });
}

/** An owner as `chown` takes it, resolved here: the ids to give. */
export interface Owner {
  uid?: number;
  gid?: number;
}

/**
 * Resolves `user` and `group` (names or numeric ids; either may be missing) to ids on this machine,
 * through the name service (`getent`, so LDAP and the like count), else /etc/passwd and /etc/group.
 * @throws an Error with code ERR_X_COPY_OWNER naming what this machine does not know.
 */
export function resolveOwner(user: string | undefined, group: string | undefined): Owner {
  const owner: Owner = {};
  if (user !== undefined) owner.uid = idOf('passwd', user);
  if (group !== undefined) owner.gid = idOf('group', group);
  return owner;
}

function idOf(database: 'passwd' | 'group', name: string): number {
  if (/^\d+$/.test(name)) return Number(name);
  const line = lookUp(database, name);
  const id = line === undefined ? undefined : Number(line.split(':')[2]);
  if (id === undefined || !Number.isInteger(id)) {
    const what = database === 'passwd' ? 'user' : 'group';
    throw Object.assign(new Error(`there is no ${what} '${name}' on this target; create it first, or give a numeric id`), { code: 'ERR_X_COPY_OWNER' });
  }
  return id;
}

/** The database's line for `name`, as `getent` gives it. */
function lookUp(database: 'passwd' | 'group', name: string): string | undefined {
  try {
    return execFileSync('getent', [database, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0];
  } catch (error) {
    // Exit status 2: not found. Anything else (no getent, as on some minimal images): read the file.
    if ((error as { status?: number }).status === 2) return undefined;
  }
  try {
    return readFileSync(`/etc/${database}`, 'utf8')
      .split('\n')
      .find((line) => line.split(':')[0] === name);
  } catch {
    return undefined;
  }
}
