// An Ansible inventory as its readers (INI, YAML) build it, with the rules Ansible's InventoryData
// keeps: `all` and `ungrouped` always exist, a group without a parent becomes a child of `all`, a host
// in no group is in `ungrouped`, no group contains itself, and host names may carry ranges
// (`web[01:20].example.com`, `db-[a:c]`, `[1:9:2]`) and a port (`db1:2222`).
import { InventoryError } from './errors.js';

export type Vars = Record<string, unknown>;

export interface AnsibleGroup {
  name: string;
  /** Hosts listed in the group itself, in the order first listed. */
  hosts: string[];
  children: string[];
  parents: string[];
  vars: Vars;
  /** `ansible_group_priority`: among groups of one depth, the higher one's variables win. */
  priority: number;
}

/** The groups and hosts of one inventory, with the variables set in the file itself. */
export class AnsibleModel {
  readonly groups = new Map<string, AnsibleGroup>();
  /** Host name -> the variables set on the host in the file (a `:port` suffix sets ansible_port). */
  readonly hosts = new Map<string, Vars>();
  /** Host name -> the groups that list it themselves (a range may list thousands: no scans). */
  readonly #direct = new Map<string, Set<string>>();

  constructor(readonly path: string) {
    this.group('all');
    this.group('ungrouped');
    this.addChild('all', 'ungrouped');
  }

  /** The group named `name`, created if new. */
  group(name: string): AnsibleGroup {
    let group = this.groups.get(name);
    if (!group) {
      group = { name, hosts: [], children: [], parents: [], vars: {}, priority: 1 };
      this.groups.set(name, group);
    }
    return group;
  }

  /** Adds every host `pattern` names (ranges expanded) to `group`, with `vars`. */
  addHosts(pattern: string, group: string, vars: Vars): string[] {
    const { names, port } = expandHostPattern(pattern, this.path);
    for (const name of names) this.addHost(name, group, port === undefined ? vars : { ansible_port: port, ...vars });
    return names;
  }

  /** Adds the host `name` (taken as it is) to `group`, with `vars`. */
  addHost(name: string, group: string, vars: Vars): void {
    let own = this.hosts.get(name);
    if (!own) {
      own = {};
      this.hosts.set(name, own);
    }
    Object.assign(own, vars);
    this.#list(name, this.group(group));
  }

  setGroupVar(group: string, name: string, value: unknown): void {
    const target = this.group(group);
    if (name === 'ansible_group_priority') {
      const priority = Number(value);
      if (!Number.isInteger(priority)) throw new InventoryError(`${this.path}: ansible_group_priority of group '${group}' must be a whole number, got ${JSON.stringify(value)}.`);
      target.priority = priority;
    } else {
      target.vars[name] = value;
    }
  }

  #list(host: string, group: AnsibleGroup): void {
    let groups = this.#direct.get(host);
    if (!groups) {
      groups = new Set();
      this.#direct.set(host, groups);
    }
    if (groups.has(group.name)) return;
    groups.add(group.name);
    group.hosts.push(host);
  }

  addChild(parent: string, child: string): void {
    const from = this.group(parent);
    const to = this.group(child);
    if (from.children.includes(child)) return;
    if (parent === child || this.ancestors(parent).has(child)) {
      throw new InventoryError(`${this.path}: adding group '${child}' as a child of '${parent}' makes a loop; a group cannot contain itself.`);
    }
    from.children.push(child);
    to.parents.push(parent);
  }

  /** Every group above `name`, however far. */
  ancestors(name: string): Set<string> {
    const seen = new Set<string>();
    const walk = (group: string) => {
      for (const parent of this.groups.get(group)?.parents ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          walk(parent);
        }
      }
    };
    walk(name);
    return seen;
  }

  /** Applies Ansible's implicit groups once the file is read: see the module comment. */
  reconcile(): void {
    for (const group of this.groups.values()) {
      if (group.name !== 'all' && group.parents.length === 0) this.addChild('all', group.name);
    }
    const ungrouped = this.groups.get('ungrouped')!;
    const leave = new Set<string>();
    for (const host of this.hosts.keys()) {
      const groups = this.#direct.get(host) ?? new Set<string>();
      const others = [...groups].filter((name) => name !== 'all' && name !== 'ungrouped');
      if (others.length > 0) leave.add(host);
      else this.#list(host, ungrouped);
    }
    ungrouped.hosts = ungrouped.hosts.filter((host) => !leave.has(host));
    for (const host of leave) this.#direct.get(host)!.delete('ungrouped');
  }

  /** How far below `all` the group is, by its longest path: deeper groups' variables win. */
  depth(name: string): number {
    if (name === 'all') return 0;
    const parents = this.groups.get(name)?.parents ?? [];
    return 1 + Math.max(0, ...parents.map((parent) => this.depth(parent)));
  }

  /** Every host of the group and of the groups below it, once each, the group's own first. */
  hostsOf(name: string): string[] {
    const hosts = new Set<string>();
    const queue = [name];
    const seen = new Set(queue);
    while (queue.length > 0) {
      const group = this.groups.get(queue.shift()!)!;
      for (const host of group.hosts) hosts.add(host);
      for (const child of group.children) {
        if (!seen.has(child)) {
          seen.add(child);
          queue.push(child);
        }
      }
    }
    return [...hosts];
  }

  /** The groups a host is in, directly or through a child group, but `all`, in Ansible's order of precedence (weakest first). */
  groupsOf(host: string): string[] {
    const direct = [...(this.#direct.get(host) ?? [])];
    const all = new Set(direct);
    for (const name of direct) for (const ancestor of this.ancestors(name)) all.add(ancestor);
    all.delete('all');
    return [...all]
      .map((name) => ({ name, depth: this.depth(name), priority: this.groups.get(name)!.priority }))
      .sort((a, b) => a.depth - b.depth || a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((group) => group.name);
  }
}

const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * The host names and port of one inventory host entry, as Ansible reads them: `db1:2222` has a port,
 * `[::1]:2222` too, and each `[begin:end]` or `[begin:end:step]` range (numbers, zero-padded numbers
 * or single letters) is expanded.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for a malformed range.
 */
export function expandHostPattern(pattern: string, path: string): { names: string[]; port?: number } {
  let host = pattern;
  let port: number | undefined;
  const bracketed = /^\[(.+)\]:([0-9]+)$/.exec(pattern);
  const plain = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/.exec(pattern);
  const withPort = bracketed ?? plain;
  if (withPort) {
    host = withPort[1]!;
    port = Number(withPort[2]);
  } else if (pattern.endsWith(':')) {
    throw new InventoryError(`${path}: the host '${pattern}' ends with ':', which is reserved for a port (host:port).`);
  }
  const names = host.includes('[') ? expandRanges(host, pattern, path) : [host];
  return port === undefined ? { names } : { names, port };
}

function expandRanges(host: string, pattern: string, path: string): string[] {
  const open = host.indexOf('[');
  const close = host.indexOf(']', open);
  if (close === -1) throw new InventoryError(`${path}: the host '${pattern}' has '[' without ']'; a range looks like web[01:20].`);
  const [head, range, tail] = [host.slice(0, open), host.slice(open + 1, close), host.slice(close + 1)];
  const bounds = range.split(':');
  if (bounds.length < 2 || bounds.length > 3) throw new InventoryError(`${path}: the range [${range}] in '${pattern}' must be begin:end or begin:end:step.`);
  const begin = bounds[0] || '0';
  const end = bounds[1]!;
  const step = bounds[2] === undefined ? 1 : Number(bounds[2]);
  if (end === '') throw new InventoryError(`${path}: the range [${range}] in '${pattern}' has no end.`);
  if (!Number.isInteger(step) || step < 1) throw new InventoryError(`${path}: the step of the range [${range}] in '${pattern}' must be a whole number of at least 1.`);
  const items: string[] = [];
  if (begin.length === 1 && end.length === 1 && letters.includes(begin) && letters.includes(end)) {
    const from = letters.indexOf(begin);
    const to = letters.indexOf(end);
    if (from > to) throw new InventoryError(`${path}: the range [${range}] in '${pattern}' ends before it begins.`);
    for (let k = from; k <= to; k += step) items.push(letters[k]!);
  } else {
    if (!/^\d+$/.test(begin) || !/^\d+$/.test(end)) throw new InventoryError(`${path}: the range [${range}] in '${pattern}' must be numbers (01:20) or single letters (a:f).`);
    const width = begin.length > 1 && begin.startsWith('0') ? begin.length : 0;
    if (width > 0 && end.length !== width) throw new InventoryError(`${path}: the range [${range}] in '${pattern}' must give begin and end with the same number of digits.`);
    const count = (Number(end) - Number(begin)) / step;
    if (count > 100_000) throw new InventoryError(`${path}: the range [${range}] in '${pattern}' names more than 100000 hosts.`);
    for (let k = Number(begin); k <= Number(end); k += step) items.push(String(k).padStart(width, '0'));
  }
  return items.flatMap((item) => {
    const name = `${head}${item}${tail}`;
    return name.includes('[') ? expandRanges(name, pattern, path) : [name];
  });
}
