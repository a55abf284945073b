// The target syntax of `--on`: a comma list of `local`, `local*N`, `ssh://user@host:port`, `user@host`,
// `host`, `sudo[:user]`, `su[:user]`, chains of those joined with `/`, and `@group` from the inventory.
import { TargetSyntaxError } from './errors.js';
import { type HostOptions, type Inventory, optionsOf } from './inventory.js';

/** One step of a chain: how the next context is started from the previous one (or from here). */
export type Hop =
  | { method: 'local'; /** The inventory host (ansible_connection=local) this stands for. */ alias?: string }
  | {
      method: 'ssh';
      alias: string;
      hostname: string;
      username?: string;
      port?: number;
      identityFile?: string;
      nodePath?: string;
      checkHostKeys?: HostOptions['checkHostKeys'];
      sshArgs?: string[];
    }
  | { method: 'sudo' | 'su'; username: string };

/** One target of a command: its display name and the chain of contexts that reaches it. */
export interface Target {
  name: string;
  hops: Hop[];
  /** The inventory groups it came from through `@group`, outermost first (absent when named directly). */
  groups?: string[];
}

/** The most contexts `local*N` starts; more is surely a typo. */
export const maxLocalCount = 10_000;

const examples = 'local, local*8, ssh://user@host:22, user@host, ssh://web1/sudo:root, @group';

/**
 * Parses `--on`'s value into targets, in order, with unique names (a repeated one gets `#2`, `#3`…).
 * `inventory` is asked for only when a `@group` or a bare host name needs it.
 *
 * @throws TargetSyntaxError (`ERR_X_TARGET_SYNTAX`) for text that is none of the forms above.
 * @throws InventoryError (`ERR_X_INVENTORY`) for an unknown group or a broken inventory file.
 */
export function parseTargets(spec: string, inventory: () => Inventory | undefined): Target[] {
  const targets: Target[] = [];
  expandList(spec, inventory, targets, []);
  if (targets.length === 0) throw new TargetSyntaxError(`--on names no target; give one or more of: ${examples}.`);
  const seen = new Map<string, number>();
  for (const target of targets) {
    const count = (seen.get(target.name) ?? 0) + 1;
    seen.set(target.name, count);
    if (count > 1) target.name = `${target.name}#${count}`;
  }
  return targets;
}

function expandList(spec: string, inventory: () => Inventory | undefined, into: Target[], groups: string[]): void {
  for (const raw of spec.split(',')) {
    const entry = raw.trim();
    if (entry === '') throw new TargetSyntaxError(`empty target in '${spec}' (a comma with nothing on one side); targets look like: ${examples}.`);
    if (entry.startsWith('@')) expandGroup(entry.slice(1), inventory, into, groups);
    else into.push(...expandEntry(entry, inventory).map((target) => (groups.length > 0 ? { ...target, groups } : target)));
  }
}

function expandGroup(group: string, inventory: () => Inventory | undefined, into: Target[], groups: string[]): void {
  const inv = inventory();
  if (!inv) {
    throw new TargetSyntaxError(
      `@${group} names an inventory group, but there is no inventory: put x.inventory.json or x.inventory.yaml in this directory, or name one with --inventory FILE.`,
    );
  }
  const members = inv.groups.get(group);
  if (!members) {
    const known = [...inv.groups.keys()].map((name) => `@${name}`).join(', ') || 'none';
    throw new TargetSyntaxError(`no group '${group}' in ${inv.path} (its groups: ${known}).`);
  }
  if (groups.includes(group)) throw new TargetSyntaxError(`group '${group}' in ${inv.path} includes itself (${[...groups, group].join(' -> ')}).`);
  for (const member of members) expandList(member, inventory, into, [...groups, group]);
}

function expandEntry(entry: string, inventory: () => Inventory | undefined): Target[] {
  const many = /^local\*(.*)$/.exec(entry);
  if (many) {
    const count = Number(many[1]);
    if (!/^\d+$/.test(many[1]!) || !Number.isSafeInteger(count) || count < 1 || count > maxLocalCount) {
      throw new TargetSyntaxError(`'${entry}': the count after local* must be a whole number from 1 to ${maxLocalCount}, as in local*8.`);
    }
    if (count === 1) return [{ name: 'local', hops: [{ method: 'local' }] }];
    return Array.from({ length: count }, (_, k) => ({ name: `local-${k + 1}`, hops: [{ method: 'local' } as Hop] }));
  }
  const hops = splitChain(entry).map((text, k) => parseHop(text, k, entry, inventory));
  // The inventory's become (Ansible's ansible_become) ends the host's chain as that user.
  const last = hops.at(-1)!;
  const become = (last.method === 'ssh' || last.method === 'local') && last.alias !== undefined ? hostOptions(last.alias, inventory).become : undefined;
  if (become) hops.push({ method: become.method, username: become.user });
  // `local/sudo:root` is sudo on this machine: no context in between.
  if (hops.length > 1 && hops[0]!.method === 'local') hops.shift();
  return [{ name: entry, hops }];
}

/** Splits `ssh://a/sudo:root` at the slashes between hops (not the two of `ssh://`). */
function splitChain(entry: string): string[] {
  const parts: string[] = [];
  let rest = entry;
  while (rest !== '') {
    const scheme = rest.startsWith('ssh://') ? 'ssh://'.length : 0;
    const slash = rest.indexOf('/', scheme);
    const part = slash === -1 ? rest : rest.slice(0, slash);
    if (part === '' || part === 'ssh://') throw new TargetSyntaxError(`'${entry}' has an empty step; chain steps are joined by single slashes, as in ssh://web1/sudo:root.`);
    parts.push(part);
    if (slash === -1) break;
    rest = rest.slice(slash + 1);
    if (rest === '') throw new TargetSyntaxError(`'${entry}' ends with a slash; remove it or add the next step, as in ssh://web1/sudo:root.`);
  }
  return parts;
}

const userPattern = /^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/;
const hostPattern = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.%A-Za-z]+\])$/;

function parseHop(text: string, index: number, entry: string, inventory: () => Inventory | undefined): Hop {
  if (text === 'local') {
    if (index > 0) throw new TargetSyntaxError(`'${entry}': local can only start a chain (it means this machine).`);
    return { method: 'local' };
  }
  const become = /^(sudo|su)(?::(.*))?$/.exec(text);
  if (become) {
    const username = become[2] ?? 'root';
    if (!userPattern.test(username)) throw new TargetSyntaxError(`'${entry}': '${username}' is not a user name (in ${text}).`);
    return { method: become[1] as 'sudo' | 'su', username };
  }
  const address = /^(?:ssh:\/\/)?(?:([^@]*)@)?([^@]*?)(?::([^:\]]*))?$/.exec(text);
  const [, username, host, port] = address ?? [];
  if (!address || !host || !hostPattern.test(host) || (username !== undefined && !userPattern.test(username))) {
    throw new TargetSyntaxError(`'${text}' is not a target; targets look like: ${examples}.`);
  }
  let portNumber: number | undefined;
  if (port !== undefined) {
    portNumber = Number(port);
    if (!/^\d+$/.test(port) || portNumber < 1 || portNumber > 65535) {
      throw new TargetSyntaxError(`'${entry}': the port '${port}' must be a number from 1 to 65535.`);
    }
  }
  const alias = host.startsWith('[') ? host.slice(1, -1) : host;
  // Every hop takes its own host's entry (in bastion/db1, db1's user, port, nodePath... for db1). A later
  // hop's ssh runs on the host before it: its identityFile names a file there.
  const options: HostOptions = hostOptions(alias, inventory);
  if (options.connection === 'local') {
    if (username !== undefined || port !== undefined) throw new TargetSyntaxError(`'${entry}': ${alias} is this machine in the inventory (connection local), so it takes no user or port.`);
    if (index > 0) throw new TargetSyntaxError(`'${entry}': ${alias} is this machine in the inventory (connection local), so it can only start a chain.`);
    return { method: 'local', alias };
  }
  const hop: Hop = { method: 'ssh', alias, hostname: options.hostname ?? alias };
  const user = username ?? options.user;
  if (user !== undefined) hop.username = user;
  const finalPort = portNumber ?? options.port;
  if (finalPort !== undefined) hop.port = finalPort;
  if (options.identityFile !== undefined) hop.identityFile = options.identityFile;
  if (options.nodePath !== undefined) hop.nodePath = options.nodePath;
  if (options.checkHostKeys !== undefined) hop.checkHostKeys = options.checkHostKeys;
  if (options.sshArgs !== undefined) hop.sshArgs = options.sshArgs;
  return hop;
}

function hostOptions(alias: string, inventory: () => Inventory | undefined): HostOptions {
  const inv = inventory();
  return inv ? optionsOf(inv, alias) : {};
}
