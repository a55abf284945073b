// The JSON a dynamic inventory script prints, which is also what `ansible-inventory --list` prints:
// group -> { hosts: [names], vars: {...}, children: [names] } (or just the list of hosts), and
// `_meta.hostvars` with each host's variables. Saved to a file, it brings a cloud inventory (aws_ec2,
// gcp_compute...) to x without running the plugin: `ansible-inventory -i aws_ec2.yml --list > fleet.json`.
import type { AnsibleModel } from './ansible-model.js';
import { isMapping } from './ansible-yaml.js';
import { InventoryError } from './errors.js';

/** Whether parsed `data` is in this format rather than a YAML inventory's (groups of mappings). */
export function isScriptOutput(data: Record<string, unknown>): boolean {
  // An inventory plugin's configuration (plugin: aws_ec2, regions: [...]) is neither: the YAML reader says so.
  if (typeof data['plugin'] === 'string') return false;
  return (
    isMapping(data['_meta']) ||
    Object.values(data).some((group) => Array.isArray(group) || (isMapping(group) && (Array.isArray(group['hosts']) || Array.isArray(group['children']))))
  );
}

/**
 * Reads an inventory script's output `data` into `model`, as Ansible's script plugin does (host names
 * are taken as they are: no ranges).
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for a group whose hosts, vars or children have the wrong shape.
 */
export function readScriptOutput(data: Record<string, unknown>, model: AnsibleModel): void {
  const hostvars = isMapping(data['_meta']) && isMapping(data['_meta']['hostvars']) ? data['_meta']['hostvars'] : {};
  for (const [name, raw] of Object.entries(data)) {
    if (name === '_meta') continue;
    // A bare list is the group's hosts; a mapping with none of the sections is one host's variables.
    const group = !isMapping(raw) ? { hosts: raw } : ['hosts', 'vars', 'children'].some((key) => key in raw) ? raw : { hosts: [name], vars: raw };
    model.group(name);
    const hosts = group['hosts'] ?? [];
    if (!Array.isArray(hosts) || !hosts.every((host) => typeof host === 'string')) {
      throw new InventoryError(`${model.path}: the hosts of group '${name}' must be a list of names, got ${JSON.stringify(hosts)}.`);
    }
    for (const host of hosts) model.addHost(host, name, {});
    const vars = group['vars'] ?? {};
    if (!isMapping(vars)) throw new InventoryError(`${model.path}: the vars of group '${name}' must be a mapping, got ${JSON.stringify(vars)}.`);
    for (const [variable, value] of Object.entries(vars)) model.setGroupVar(name, variable, value);
    const children = group['children'] ?? [];
    if (!Array.isArray(children) || !children.every((child) => typeof child === 'string')) {
      throw new InventoryError(`${model.path}: the children of group '${name}' must be a list of group names, got ${JSON.stringify(children)}.`);
    }
    for (const child of children) model.addChild(name, child);
  }
  for (const [host, vars] of model.hosts) {
    const given = hostvars[host];
    if (given === undefined || given === null) continue;
    if (!isMapping(given)) throw new InventoryError(`${model.path}: _meta.hostvars of '${host}' must be a mapping, got ${JSON.stringify(given)}.`);
    Object.assign(vars, given);
  }
}
