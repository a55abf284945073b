// Ansible inventories as they are: an INI or YAML file, plus the group_vars/ and host_vars/ beside it,
// each host's variables merged in Ansible's order of precedence and its connection variables mapped
// onto x's host options. x evaluates no Jinja2 template and decrypts no vault: a connection variable
// that needs either is an error that says so, and every other ansible_* variable is listed as ignored.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { readIniInventory } from './ansible-ini.js';
import { readScriptOutput } from './ansible-json.js';
import { AnsibleModel, type Vars } from './ansible-model.js';
import { isMapping, parseAnsibleYaml, readYamlInventory, VaultedValue } from './ansible-yaml.js';
import { InventoryError } from './errors.js';
import type { HostOptions, Inventory } from './inventory.js';
import { ShellWordsError, shellWords } from './shell-words.js';

/** The variables x reads, Ansible's name (or names: a later one wins, as in Ansible) for each option. */
const mappedVariables = {
  hostname: ['ansible_host', 'ansible_ssh_host'],
  port: ['ansible_port', 'ansible_ssh_port'],
  user: ['ansible_user', 'ansible_ssh_user'],
  identityFile: ['ansible_private_key_file', 'ansible_ssh_private_key_file'],
  sshArgs: ['ansible_ssh_common_args', 'ansible_ssh_extra_args'],
  become: ['ansible_become', 'ansible_become_user', 'ansible_become_method'],
  connection: ['ansible_connection'],
  nodePath: ['x_node_path'],
} as const;

const mapped = new Set<string>([...Object.values(mappedVariables).flat(), 'ansible_group_priority']);

const sshConnections = new Set(['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh']);
const localConnections = new Set(['local', 'ansible.builtin.local']);

export interface AnsibleReadOptions {
  /** Where relative key files are found: Ansible's working directory (and x's). */
  cwd: string;
  /** Says something about the file that is not an error (a skipped entry). */
  warn(message: string): void;
}

/**
 * Reads an Ansible inventory: `format` 'ini' from text, 'yaml' (a YAML inventory) or 'script' (an
 * inventory script's JSON, as `ansible-inventory --list` prints it) from parsed data.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for anything Ansible would refuse, and for connection
 *   variables x cannot use (a template, a vault, an unknown become method or connection).
 */
export function readAnsibleInventory(
  path: string,
  source: { format: 'ini'; text: string } | { format: 'yaml'; data: unknown } | { format: 'script'; data: Record<string, unknown> },
  options: AnsibleReadOptions,
): Inventory {
  const model = new AnsibleModel(path);
  if (source.format === 'ini') readIniInventory(source.text, model);
  else if (source.format === 'script') readScriptOutput(source.data, model);
  else readYamlInventory(source.data, model, options.warn);
  model.reconcile();

  const base = dirname(path);
  const fileVars = new Map<string, Vars>();
  const filesOf = (kind: 'group_vars' | 'host_vars', name: string): Vars => {
    const key = `${kind}/${name}`;
    let vars = fileVars.get(key);
    if (!vars) {
      vars = {};
      for (const file of varsFiles(join(base, kind), name)) Object.assign(vars, readVarsFile(file));
      fileVars.set(key, vars);
    }
    return vars;
  };

  const ignored = new Set<string>();
  const allVars = { ...model.groups.get('all')!.vars, ...filesOf('group_vars', 'all') };
  const defaults = hostOptions(allVars, 'the group all', options.cwd, ignored);
  const hosts = new Map<string, HostOptions>();
  for (const [host, own] of model.hosts) {
    const groups = model.groupsOf(host);
    const vars: Vars = { ...allVars };
    for (const group of groups) Object.assign(vars, model.groups.get(group)!.vars);
    for (const group of groups) Object.assign(vars, filesOf('group_vars', group));
    Object.assign(vars, own, filesOf('host_vars', host));
    hosts.set(host, hostOptions(vars, `host '${host}'`, options.cwd, ignored));
  }
  const groups = new Map<string, string[]>();
  const tree = new Map<string, { hosts: string[]; children: string[] }>();
  for (const [name, group] of model.groups) {
    groups.set(name, model.hostsOf(name));
    tree.set(name, { hosts: name === 'all' ? [] : [...group.hosts], children: [...group.children] });
  }
  return { path, format: 'ansible', defaults, hosts, groups, tree, ignored: [...ignored].sort() };
}

/**
 * The files Ansible reads for `name` in a group_vars/ or host_vars/ directory: the first of name,
 * name.yml, name.yaml, name.json that exists; a directory gives every file below it, sorted, but
 * hidden ones, backups (`~`) and other extensions.
 */
function varsFiles(directory: string, name: string): string[] {
  if (name.includes('/') || name === '..' || !existsSync(directory)) return [];
  for (const extension of ['', '.yml', '.yaml', '.json']) {
    const path = join(directory, name + extension);
    if (!existsSync(path)) continue;
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  }
  return [];
}

function filesBelow(directory: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(directory).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const path = join(directory, entry);
    const extension = extname(entry);
    const stat = statSync(path);
    if (stat.isDirectory() && extension === '') found.push(...filesBelow(path));
    else if (stat.isFile() && ['', '.yml', '.yaml', '.json'].includes(extension)) found.push(path);
  }
  return found;
}

function readVarsFile(path: string): Vars {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InventoryError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (text.startsWith('$ANSIBLE_VAULT')) {
    throw new InventoryError(`${path} is encrypted with Ansible Vault, which x cannot decrypt; keep the connection variables x needs in a file that is not.`);
  }
  let data: unknown;
  try {
    data = parseAnsibleYaml(text);
  } catch (error) {
    throw new InventoryError(`cannot parse ${path}: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) return {};
  if (!isMapping(data)) throw new InventoryError(`${path}: a variables file is a mapping of names to values, got ${JSON.stringify(data)}.`);
  return data;
}

/** Maps one host's merged variables onto x's host options, adding the ansible_* ones x does not use to `ignored`. */
function hostOptions(vars: Vars, owner: string, cwd: string, ignored: Set<string>): HostOptions {
  for (const name of Object.keys(vars)) if (name.startsWith('ansible_') && !mapped.has(name)) ignored.add(name);
  const last = (names: readonly string[]) => {
    const name = names.findLast((candidate) => vars[candidate] !== undefined && vars[candidate] !== null);
    return name === undefined ? undefined : { name, value: text(name, vars[name], owner) };
  };
  const options: HostOptions = {};
  const hostname = last(mappedVariables.hostname);
  if (hostname) options.hostname = hostname.value;
  const user = last(mappedVariables.user);
  if (user) options.user = user.value;
  const port = last(mappedVariables.port);
  if (port) {
    const number = Number(port.value);
    if (!/^\d+$/.test(port.value) || number < 1 || number > 65535) throw new InventoryError(`${owner}: ${port.name} is a port from 1 to 65535, got ${JSON.stringify(vars[port.name])}.`);
    options.port = number;
  }
  const key = last(mappedVariables.identityFile);
  // Ansible hands the path to ssh as it is: ~ is the user's home and a relative path is from the working directory.
  if (key) options.identityFile = resolve(cwd, key.value.replace(/^~(?=$|\/)/, homedir()));
  const sshArgs: string[] = [];
  for (const name of mappedVariables.sshArgs) {
    if (vars[name] === undefined || vars[name] === null) continue;
    try {
      sshArgs.push(...shellWords(text(name, vars[name], owner)));
    } catch (error) {
      if (error instanceof ShellWordsError) throw new InventoryError(`${owner}: ${name}: ${error.message}`);
      throw error;
    }
  }
  if (sshArgs.length > 0) options.sshArgs = sshArgs;
  if (vars['ansible_become'] !== undefined && truth('ansible_become', vars['ansible_become'], owner)) {
    const method = vars['ansible_become_method'] === undefined ? 'sudo' : text('ansible_become_method', vars['ansible_become_method'], owner);
    if (method !== 'sudo' && method !== 'su') throw new InventoryError(`${owner}: ansible_become_method ${method} is not one x has; x becomes another user with sudo or su.`);
    const becomeUser = vars['ansible_become_user'] === undefined ? 'root' : text('ansible_become_user', vars['ansible_become_user'], owner);
    options.become = { method, user: becomeUser };
  }
  const connection = last(mappedVariables.connection);
  if (connection && localConnections.has(connection.value)) options.connection = 'local';
  else if (connection && !sshConnections.has(connection.value)) {
    throw new InventoryError(`${owner}: ansible_connection ${connection.value} is not one x has; x connects over ssh, or runs here with ansible_connection=local.`);
  }
  const nodePath = last(mappedVariables.nodePath);
  if (nodePath) options.nodePath = nodePath.value;
  return options;
}

function text(name: string, value: unknown, owner: string): string {
  if (value instanceof VaultedValue) throw new InventoryError(`${owner}: ${name} is encrypted with Ansible Vault, which x cannot decrypt; give it in plain text.`);
  if (typeof value !== 'string' && typeof value !== 'number') throw new InventoryError(`${owner}: ${name} must be text, got ${JSON.stringify(value)}.`);
  const string = String(value);
  if (string.includes('{{') || string.includes('{%')) {
    throw new InventoryError(`${owner}: ${name} is a Jinja2 template (${string}), which x does not evaluate; give the value itself.`);
  }
  return string;
}

/** Ansible's boolean(): yes/no, true/false, on/off, 1/0, y/n, t/f in any case. */
function truth(name: string, value: unknown, owner: string): boolean {
  const word = typeof value === 'string' ? value.toLowerCase() : value;
  if (word === true || word === 1 || ['y', 'yes', 'on', '1', 'true', 't'].includes(word as string)) return true;
  if (word === false || word === 0 || ['n', 'no', 'off', '0', 'false', 'f'].includes(word as string)) return false;
  throw new InventoryError(`${owner}: ${name} is true or false (yes/no), got ${JSON.stringify(value)}.`);
}
