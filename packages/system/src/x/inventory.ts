// The inventory: named hosts with their ssh options, and groups of targets for `@group`, from
// x.inventory.json or x.inventory.yaml (.yml) in the working directory or the file given by --inventory.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { InventoryError } from './errors.js';

/** Per-host options; what a target names explicitly (`user@host:port`) wins over them. */
export interface HostOptions {
  hostname?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  nodePath?: string;
  /** How ssh treats the host's key: 'enforce' (default), 'accept' (learn an unknown one), 'ignore'. */
  checkHostKeys?: 'enforce' | 'accept' | 'ignore';
  /** More ssh arguments (`-o Name=value`…), before x's own, so they win. */
  sshArgs?: string[];
}

/** A loaded inventory. */
export interface Inventory {
  path: string;
  defaults: HostOptions;
  hosts: Map<string, HostOptions>;
  /** Group name -> its members: host names, target strings (chains, comma lists) or `@other` groups. */
  groups: Map<string, string[]>;
}

export const inventoryNames = ['x.inventory.json', 'x.inventory.yaml', 'x.inventory.yml'];

/**
 * Gives a function that loads the inventory on first use: the file named by `--inventory` (which must
 * exist), else the one of {@link inventoryNames} in `cwd`, else none.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for a missing named file, two candidate files, or bad content.
 */
export function inventoryLoader(explicit: string | undefined, cwd: string): () => Inventory | undefined {
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
    if (path !== undefined && loaded === undefined) loaded = loadInventory(path);
    return loaded;
  };
}

// yaml is loaded only when a YAML inventory is read (most runs have none), and synchronously, so that
// parsing --on stays synchronous: its Node entry is CommonJS.
const require = createRequire(import.meta.url);
const parseYaml = (text: string): unknown => (require('yaml') as typeof import('yaml')).parse(text);

/** Reads and checks one inventory file. */
export function loadInventory(path: string): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InventoryError(`cannot read the inventory ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    if (path.endsWith('.json')) data = JSON.parse(text);
    else data = parseYaml(text);
  } catch (error) {
    throw new InventoryError(`cannot parse the inventory ${path}: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) data = {};
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
  return { path, defaults, hosts, groups };
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
      if (option !== 'enforce' && option !== 'accept' && option !== 'ignore') {
        throw new InventoryError(`${at}: expected 'enforce', 'accept' or 'ignore', got ${JSON.stringify(option)}.`);
      }
      options.checkHostKeys = option;
    } else if (key === 'sshArgs') {
      if (!Array.isArray(option) || !option.every((arg) => typeof arg === 'string')) {
        throw new InventoryError(`${at}: expected a list of ssh arguments, as in ["-o", "ConnectTimeout=5"], got ${JSON.stringify(option)}.`);
      }
      options.sshArgs = option as string[];
    } else {
      throw new InventoryError(`${at}: unknown host option; host options are hostname, port, user, identityFile, nodePath, checkHostKeys and sshArgs.`);
    }
  }
  return options;
}
