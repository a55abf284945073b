// The inventory: named hosts with their connection options, and groups of targets for `@group`. Read
// from x.inventory.json or x.inventory.yaml (.yml) in the working directory, or from the file given by
// --inventory, which may also be an Ansible inventory (INI or YAML, read by ./ansible-inventory.ts):
// whichever the file is, the rest of x reads the one shape below.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, extname, resolve } from 'node:path';
import { readAnsibleInventory } from './ansible-inventory.js';
import { isScriptOutput } from './ansible-json.js';
import { isMapping, parseAnsibleYaml } from './ansible-yaml.js';
import { InventoryError } from './errors.js';

/** Per-host options; what a target names explicitly (`user@host:port`) wins over them. */
export interface HostOptions {
  hostname?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  nodePath?: string;
  /**
   * x's host-key policy for the host: 'strict' ('enforce' is the same), 'accept' (learn an unknown one),
   * 'ignore'. Unset: ssh's configuration decides.
   */
  checkHostKeys?: 'strict' | 'enforce' | 'accept' | 'ignore';
  /** More ssh arguments (`-o Name=value`…), before x's own, so they win. */
  sshArgs?: string[];
  /** Ends the host's chain with sudo or su to `user` (Ansible's become). */
  become?: { method: 'sudo' | 'su'; user: string };
  /** 'local': the host is this machine, reached without ssh (Ansible's ansible_connection=local); 'ssh' by default. */
  connection?: 'local' | 'ssh';
}

/** A loaded inventory. */
export interface Inventory {
  path: string;
  /** 'x' for x's own format, 'ansible' for an Ansible INI or YAML inventory. */
  format: 'x' | 'ansible';
  /** The options of a host the inventory does not list (Ansible: the group all's variables). */
  defaults: HostOptions;
  /** Host name -> its options, every variable source merged. */
  hosts: Map<string, HostOptions>;
  /** Group name -> its members for `@group`: host names, target strings (chains, comma lists) or `@other` groups. */
  groups: Map<string, string[]>;
  /** Group name -> the hosts listed in it and its child groups, as `x inventory` shows them; has all and ungrouped. */
  tree: Map<string, { hosts: string[]; children: string[] }>;
  /** The ansible_* variables set in the inventory that x does not use, sorted. */
  ignored: string[];
}

export const inventoryNames = ['x.inventory.json', 'x.inventory.yaml', 'x.inventory.yml'];

/** Says something about an inventory that is not an error; the x command writes it to stderr. */
export type InventoryWarn = (message: string) => void;

const warnOnStderr: InventoryWarn = (message) => process.stderr.write(`x: warning: ${message}\n`);

/**
 * Gives a function that loads the inventory on first use: the file named by `--inventory` (which must
 * exist), else the one of {@link inventoryNames} in `cwd`, else none. The ansible_* variables x
 * ignores are named once, through `warn`, when the inventory is loaded.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for a missing named file, two candidate files, or bad content.
 */
export function inventoryLoader(explicit: string | undefined, cwd: string, warn: InventoryWarn = warnOnStderr): () => Inventory | undefined {
  let path: string | undefined;
  if (explicit !== undefined) {
    path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new InventoryError(`--inventory ${explicit}: no such file (${path}).`);
  } else {
    const found = inventoryNames.map((name) => resolve(cwd, name)).filter((candidate) => existsSync(candidate));
    if (found.length > 1) throw new InventoryError(`both ${found.join(' and ')} exist; keep one, or name the one to use with --inventory FILE.`);
    path = found[0];
  }
  let loaded: Inventory | undefined;
  return () => {
    if (path !== undefined && loaded === undefined) {
      loaded = loadInventory(path, { cwd, warn });
      if (loaded.ignored.length > 0) warn(`${path} sets ${loaded.ignored.join(', ')}, which x ignores (x --help lists the variables it reads).`);
    }
    return loaded;
  };
}

// yaml is loaded only when a YAML inventory is read (most runs have none), and synchronously, so that
// parsing --on stays synchronous: its Node entry is CommonJS.
const require = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (require('yaml') as typeof import('yaml')).parse(text);

/**
 * Reads and checks one inventory file: x's own format (always so for {@link inventoryNames}), an
 * Ansible INI inventory (a `.ini` file, or text that is no YAML mapping), an Ansible YAML one, or the
 * JSON of an inventory script (`ansible-inventory --list`).
 *
 * @param options.cwd where an Ansible inventory's relative key files are (default: the file's directory).
 * @throws InventoryError (`ERR_X_INVENTORY`) for a file that cannot be read or parsed, or bad content.
 */
export function loadInventory(path: string, options: { cwd?: string; warn?: InventoryWarn } = {}): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InventoryError(`cannot read the inventory ${path}: ${(error as Error).message}`);
  }
  const ansible = { cwd: options.cwd ?? dirname(path), warn: options.warn ?? warnOnStderr };
  const extension = extname(path);
  if (inventoryNames.includes(basename(path))) return readXInventory(path, parse(path, text, extension === '.json' ? JSON.parse : parseYaml));
  if (extension === '.ini') return readAnsibleInventory(path, { format: 'ini', text }, ansible);
  let data: unknown;
  try {
    data = parseAnsibleYaml(text);
  } catch (error) {
    if (extension === '.yml' || extension === '.yaml' || extension === '.json') throw new InventoryError(`cannot parse the inventory ${path}: ${(error as Error).message}`);
    return readAnsibleInventory(path, { format: 'ini', text }, ansible);
  }
  if (data === null || data === undefined) return readXInventory(path, {});
  if (!isMapping(data) || !Object.values(data).some((value) => value === null || isMapping(value) || Array.isArray(value))) {
    if (extension === '.yml' || extension === '.yaml' || extension === '.json') return readAnsibleInventory(path, { format: 'yaml', data }, ansible);
    return readAnsibleInventory(path, { format: 'ini', text }, ansible);
  }
  if (!('_meta' in data) && looksLikeX(data)) return readXInventory(path, parse(path, text, extension === '.json' ? JSON.parse : parseYaml));
  return readAnsibleInventory(path, isScriptOutput(data) ? { format: 'script', data } : { format: 'yaml', data }, ansible);
}

function parse(path: string, text: string, parser: (text: string) => unknown): unknown {
  try {
    return parser(text);
  } catch (error) {
    throw new InventoryError(`cannot parse the inventory ${path}: ${(error as Error).message}`);
  }
}

// One of x's fields, holding a mapping that is not what an Ansible group holds (hosts, vars or children):
// a group named hosts or groups in an Ansible inventory is not mistaken for x's format, and an x
// inventory with a misspelled field still gets x's error.
function looksLikeX(data: Record<string, unknown>): boolean {
  return Object.entries(data).some(
    ([key, value]) =>
      ['defaults', 'hosts', 'groups'].includes(key) &&
      isMapping(value) &&
      !['hosts', 'vars', 'children'].some((section) => value[section] === null || isMapping(value[section]) || Array.isArray(value[section])),
  );
}

function readXInventory(path: string, parsed: unknown): Inventory {
  const data = parsed ?? {};
  const where = (field: string) => `${path}: ${field}`;
  const root = record(data, 'the file', where);
  for (const key of Object.keys(root)) {
    if (!['defaults', 'hosts', 'groups'].includes(key)) throw new InventoryError(`${where(key)}: unknown field; an inventory has defaults, hosts and groups.`);
  }
  const base = dirname(path);
  const defaults = hostOptions(root['defaults'] ?? {}, 'defaults', where, base);
  const hosts = new Map<string, HostOptions>();
  for (const [name, options] of Object.entries(record(root['hosts'] ?? {}, 'hosts', where))) {
    hosts.set(name, hostOptions(options ?? {}, `hosts.${name}`, where, base));
  }
  const groups = new Map<string, string[]>();
  for (const [name, members] of Object.entries(record(root['groups'] ?? {}, 'groups', where))) {
    const list = typeof members === 'string' ? [members] : members;
    if (!Array.isArray(list) || !list.every((member) => typeof member === 'string' && member.trim() !== '')) {
      throw new InventoryError(`${where(`groups.${name}`)}: a group is a list of targets (host names, ssh://…, @other), got ${JSON.stringify(members)}.`);
    }
    groups.set(name, list as string[]);
  }
  return { path, format: 'x', defaults, hosts, groups, tree: xTree(hosts, groups), ignored: [] };
}

// The tree of x's groups as Ansible would build it: `@other` members are children, every other member
// a host; a group in no other is a child of all, a host in no group but all is in ungrouped.
function xTree(hosts: Map<string, HostOptions>, groups: Map<string, string[]>): Inventory['tree'] {
  const tree: Inventory['tree'] = new Map([['all', { hosts: [], children: ['ungrouped'] }], ['ungrouped', { hosts: [], children: [] }]]);
  const grouped = new Set<string>();
  const nested = new Set<string>();
  for (const [name, members] of groups) {
    const node = tree.get(name) ?? { hosts: [], children: [] };
    tree.set(name, node);
    for (const member of members.flatMap((entry) => entry.split(',')).map((entry) => entry.trim())) {
      if (member.startsWith('@')) {
        node.children.push(member.slice(1));
        nested.add(member.slice(1));
      } else if (!node.hosts.includes(member)) {
        node.hosts.push(member);
        if (name !== 'all') grouped.add(member);
      }
    }
  }
  for (const name of groups.keys()) if (name !== 'all' && !nested.has(name) && !tree.get('all')!.children.includes(name)) tree.get('all')!.children.push(name);
  const candidates = new Set([...hosts.keys(), ...tree.get('all')!.hosts]);
  tree.get('ungrouped')!.hosts.push(...[...candidates].filter((host) => !grouped.has(host)));
  return tree;
}

/** The options x uses for host `name`: the inventory's defaults, then the host's own. */
export function optionsOf(inventory: Inventory, name: string): HostOptions {
  return { ...inventory.defaults, ...inventory.hosts.get(name) };
}

/**
 * Every group whose targets include `name` (a host name or a target string), directly or through
 * `@other` groups, in the inventory's order.
 */
export function groupsOf(inventory: Inventory, name: string): string[] {
  let index = groupIndexes.get(inventory);
  if (!index) {
    index = groupIndex(inventory);
    groupIndexes.set(inventory, index);
  }
  return index.get(name) ?? [];
}

// Member -> its groups, made once per inventory: --limit asks for every target.
const groupIndexes = new WeakMap<Inventory, Map<string, string[]>>();

function groupIndex(inventory: Inventory): Map<string, string[]> {
  const members = new Map<string, Set<string>>();
  const expand = (group: string, path: string[]): Set<string> => {
    const known = members.get(group);
    if (known) return known;
    const found = new Set<string>();
    // A group that includes itself: parseTargets refuses it; here it adds nothing more.
    if (path.includes(group)) return found;
    for (const member of (inventory.groups.get(group) ?? []).flatMap((entry) => entry.split(',')).map((entry) => entry.trim())) {
      if (member.startsWith('@')) for (const inner of expand(member.slice(1), [...path, group])) found.add(inner);
      else found.add(member);
    }
    members.set(group, found);
    return found;
  };
  const index = new Map<string, string[]>();
  for (const group of inventory.groups.keys()) {
    for (const member of expand(group, [])) {
      if (!index.has(member)) index.set(member, []);
      index.get(member)!.push(group);
    }
  }
  return index;
}

function record(value: unknown, field: string, where: (field: string) => string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InventoryError(`${where(field)}: expected a mapping of names to values, got ${JSON.stringify(value)}.`);
  }
  return value as Record<string, unknown>;
}

function hostOptions(value: unknown, field: string, where: (field: string) => string, base: string): HostOptions {
  const options: HostOptions = {};
  for (const [key, option] of Object.entries(record(value, field, where))) {
    const at = where(`${field}.${key}`);
    if (key === 'port') {
      if (!Number.isInteger(option) || (option as number) < 1 || (option as number) > 65535) {
        throw new InventoryError(`${at}: a port is a number from 1 to 65535, got ${JSON.stringify(option)}.`);
      }
      options.port = option as number;
    } else if (key === 'hostname' || key === 'user' || key === 'identityFile' || key === 'nodePath') {
      if (typeof option !== 'string' || option === '') throw new InventoryError(`${at}: expected a non-empty string, got ${JSON.stringify(option)}.`);
      // An identity file is on this machine: ~ and relative paths are resolved here, as ssh would.
      options[key] = key === 'identityFile' ? resolve(base, option.replace(/^~(?=$|\/)/, homedir())) : option;
    } else if (key === 'checkHostKeys') {
      if (option !== 'strict' && option !== 'enforce' && option !== 'accept' && option !== 'ignore') {
        throw new InventoryError(`${at}: expected 'strict', 'accept' or 'ignore' (or leave it out: ssh's configuration decides), got ${JSON.stringify(option)}.`);
      }
      options.checkHostKeys = option;
    } else if (key === 'sshArgs') {
      if (!Array.isArray(option) || !option.every((arg) => typeof arg === 'string')) {
        throw new InventoryError(`${at}: expected a list of ssh arguments, as in ["-o", "ConnectTimeout=5"], got ${JSON.stringify(option)}.`);
      }
      options.sshArgs = option as string[];
    } else if (key === 'become') {
      const become = typeof option === 'string' ? /^(sudo|su)(?::([A-Za-z0-9._][A-Za-z0-9._-]*\$?))?$/.exec(option) : null;
      if (!become) throw new InventoryError(`${at}: expected sudo, su, sudo:USER or su:USER, got ${JSON.stringify(option)}.`);
      options.become = { method: become[1] as 'sudo' | 'su', user: become[2] ?? 'root' };
    } else if (key === 'connection') {
      if (option !== 'local' && option !== 'ssh') throw new InventoryError(`${at}: expected 'ssh' or 'local', got ${JSON.stringify(option)}.`);
      options.connection = option;
    } else {
      throw new InventoryError(
        `${at}: unknown host option; host options are hostname, port, user, identityFile, nodePath, checkHostKeys, sshArgs, become and connection.`,
      );
    }
  }
  return options;
}
