// x inventory: what x read from the inventory, shaped like `ansible-inventory --list` (JSON) or
// `--graph` (a tree), so an Ansible inventory can be checked against Ansible's own reading of it.
import type { LocalCommand } from '../command.js';
import { InventoryError, UsageError } from '../errors.js';
import { type HostOptions, type Inventory, optionsOf } from '../inventory.js';
import { shellJoin } from '../shell-words.js';

/** The inventory formats and fields, for `x --help` and `x <command> --help`. */
export const inventoryHelp = `Inventory (--inventory FILE, or x.inventory.json/.yaml here):
  x's own format       hosts with options, groups as lists of targets (@other for nesting):
                         defaults: { user: deploy }
                         hosts:
                           web1: { hostname: 10.0.0.1, port: 2222, identityFile: ~/.ssh/web,
                                   nodePath: ~/.nvm/versions/node/v20.19.0/bin/node }
                           db1: { become: sudo:postgres, sshArgs: [-o, ConnectTimeout=5] }
                         groups: { web: [web1, web2], all: ['@web', db1] }
                       host options: hostname, port, user, identityFile, nodePath,
                       checkHostKeys, sshArgs, become (sudo, su, sudo:USER, su:USER),
                       connection (ssh or local)
  Ansible INI or YAML  read unchanged, with group_vars/ and host_vars/ beside the file (and the
                       JSON of ansible-inventory --list, for a dynamic inventory saved to a file):
                         [web]
                         web[01:20].example.com ansible_user=deploy
                         [db]
                         db1 ansible_host=10.0.0.5 ansible_become=true
                         [dc:children]
                         web
                         db
                       ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file,
                       ansible_ssh_common_args + ansible_ssh_extra_args (split like a shell),
                       ansible_become, ansible_become_user, ansible_become_method (sudo, su),
                       ansible_connection (ssh or local), and x_node_path are used (and the
                       older ansible_ssh_host, ansible_ssh_port, ansible_ssh_user,
                       ansible_private_key_file); every other ansible_* variable (passwords,
                       ansible_python_interpreter...) is ignored, with a warning naming it.
                       Groups are @group in --on and names in --limit; x inventory shows them.`;

export const inventory: LocalCommand = {
  name: 'inventory',
  summary: 'show the hosts, groups and connection variables x reads from the inventory',
  usage: 'x inventory [--list | --graph [GROUP]] [--inventory FILE]',
  help: `Shows what x read from the inventory (x's own or an Ansible one), contacting no host.

  --list    JSON shaped like ansible-inventory --list: every group's hosts and children, and
            _meta.hostvars with each host's connection variables as x resolved them
            (--json does the same)
  --graph   the groups as a tree, like ansible-inventory --graph (the default); give a GROUP
            to show only that one

Examples:
  x inventory --inventory hosts.ini --graph
  x inventory --inventory inventory.yml --list | jq '._meta.hostvars.db1'`,
  restAfterFirst: false,
  options: { list: { type: 'boolean' }, graph: { type: 'boolean' } },
  runHere(positionals, here, own) {
    if (own['list'] && own['graph']) throw new UsageError('give --list or --graph, not both.');
    const list = own['list'] === true || (here.json && own['graph'] !== true);
    if (positionals.length > (list ? 0 : 1)) throw new UsageError(`unexpected argument '${positionals.at(-1)}'${list ? '; --list takes none' : ''}.`);
    const loaded = here.inventory();
    if (!loaded) throw new InventoryError('there is no inventory: put x.inventory.json or x.inventory.yaml in this directory, or name one with --inventory FILE.');
    if (list) {
      process.stdout.write(`${JSON.stringify(listInventory(loaded), null, 4)}\n`);
      return 0;
    }
    process.stdout.write(`${graphInventory(loaded, positionals[0] ?? 'all').join('\n')}\n`);
    return 0;
  },
};

/**
 * The inventory as `ansible-inventory --list` prints it: each group reachable from all with its own
 * hosts and child groups (empty ones left out, all without hosts), and `_meta.hostvars`.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for an `@group` of x's format that is no group.
 */
export function listInventory(loaded: Inventory): Record<string, unknown> {
  const groups: Record<string, { hosts?: string[]; children?: string[] }> = {};
  const visit = (name: string) => {
    if (Object.hasOwn(groups, name)) return;
    const node = loaded.tree.get(name);
    if (!node) throw new InventoryError(`no group '${name}' in ${loaded.path}, yet a group names @${name}.`);
    const entry: { hosts?: string[]; children?: string[] } = {};
    if (name !== 'all' && node.hosts.length > 0) entry.hosts = node.hosts;
    if (node.children.length > 0) entry.children = node.children;
    groups[name] = entry;
    for (const child of node.children) visit(child);
  };
  visit('all');
  const hostvars: Record<string, Record<string, unknown>> = {};
  for (const host of hostsOf(loaded)) {
    const vars = connectionVariables(optionsOf(loaded, host));
    if (Object.keys(vars).length > 0) hostvars[host] = vars;
  }
  const out: Record<string, unknown> = { _meta: { hostvars: sortKeys(hostvars) } };
  for (const name of Object.keys(groups).sort()) if (Object.keys(groups[name]!).length > 0) out[name] = groups[name];
  return out;
}

/**
 * The tree of `group` as `ansible-inventory --graph` prints it: child groups first, then hosts.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for a group of x's format that includes itself.
 */
export function graphInventory(loaded: Inventory, group: string, above: string[] = []): string[] {
  const depth = above.length;
  const line = (text: string, level: number) => (level === 0 ? text : `${'  |'.repeat(level)}--${text}`);
  if (above.includes(group)) throw new InventoryError(`group '${group}' in ${loaded.path} includes itself (${[...above, group].join(' -> ')}).`);
  const node = loaded.tree.get(group);
  if (!node) throw new InventoryError(`no group '${group}' in ${loaded.path} (its groups: ${[...loaded.tree.keys()].join(', ')}).`);
  const lines = [line(`@${group}:`, depth)];
  for (const child of node.children) lines.push(...graphInventory(loaded, child, [...above, group]));
  if (group !== 'all') for (const host of node.hosts) lines.push(line(host, depth + 1));
  return lines;
}

/** A host's options under the names Ansible gives them (x's own options under x_ names). */
export function connectionVariables(options: HostOptions): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  if (options.become) {
    vars['ansible_become'] = true;
    vars['ansible_become_method'] = options.become.method;
    vars['ansible_become_user'] = options.become.user;
  }
  if (options.connection !== undefined) vars['ansible_connection'] = options.connection;
  if (options.hostname !== undefined) vars['ansible_host'] = options.hostname;
  if (options.port !== undefined) vars['ansible_port'] = options.port;
  if (options.sshArgs !== undefined) vars['ansible_ssh_common_args'] = shellJoin(options.sshArgs);
  if (options.identityFile !== undefined) vars['ansible_ssh_private_key_file'] = options.identityFile;
  if (options.user !== undefined) vars['ansible_user'] = options.user;
  if (options.checkHostKeys !== undefined) vars['x_check_host_keys'] = options.checkHostKeys;
  if (options.nodePath !== undefined) vars['x_node_path'] = options.nodePath;
  return vars;
}

function hostsOf(loaded: Inventory): string[] {
  const hosts = new Set(loaded.hosts.keys());
  for (const node of loaded.tree.values()) for (const host of node.hosts) hosts.add(host);
  return [...hosts];
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
