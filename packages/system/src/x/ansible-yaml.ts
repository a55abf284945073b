// Ansible's YAML inventory: a mapping of group names (usually just `all`) to `hosts` (host -> its
// variables), `vars` and `children` (group name -> the same shape again). Read with YAML 1.1, as
// Ansible's PyYAML does (`yes` is true), `!unsafe` as the plain string and `!vault` kept as a mark
// that x cannot decrypt.
import { createRequire } from 'node:module';
import type { AnsibleModel } from './ansible-model.js';
import { InventoryError } from './errors.js';

/** A value encrypted with Ansible Vault (`!vault |`): x cannot decrypt it. */
export class VaultedValue {}

// yaml is loaded only when a YAML file is read, synchronously (parsing --on is synchronous): its Node
// entry is CommonJS.
const require = createRequire(import.meta.url);

/**
 * Parses Ansible-flavoured YAML (inventories, group_vars and host_vars files).
 *
 * @throws Error from the yaml parser for malformed text.
 */
export function parseAnsibleYaml(text: string): unknown {
  const yaml = require('yaml') as typeof import('yaml');
  const document = yaml.parseDocument(text, {
    version: '1.1',
    uniqueKeys: false,
    customTags: [
      { tag: '!unsafe', resolve: (value: string) => value },
      { tag: '!vault', resolve: () => new VaultedValue() },
    ],
  });
  if (document.errors.length > 0) throw document.errors[0];
  return document.toJS({ maxAliasCount: 10_000 });
}

/**
 * Reads a parsed YAML inventory `data` into `model`.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) for a shape Ansible refuses.
 */
export function readYamlInventory(data: unknown, model: AnsibleModel, warn: (message: string) => void): void {
  if (!isMapping(data)) throw new InventoryError(`${model.path}: a YAML inventory is a mapping of group names (usually all:) to hosts, vars and children.`);
  if ('plugin' in data) throw new InventoryError(`${model.path}: this is the configuration of an inventory plugin (plugin: ${String(data['plugin'])}), which x cannot run; give it a YAML or INI inventory.`);
  for (const [name, group] of Object.entries(data)) readGroup(name, group, model, warn);
}

function readGroup(name: string, data: unknown, model: AnsibleModel, warn: (message: string) => void): void {
  if (data !== null && data !== undefined && !isMapping(data)) {
    warn(`${model.path}: skipped '${name}', which is not a group (a group is a mapping of hosts, vars and children).`);
    return;
  }
  model.group(name);
  if (!data) return;
  for (const [key, raw] of Object.entries(data)) {
    const section = typeof raw === 'string' ? { [raw]: null } : raw;
    if (section === null || section === undefined) continue;
    if (!isMapping(section)) {
      if (key === 'vars' || key === 'children' || key === 'hosts') {
        throw new InventoryError(`${model.path}: '${key}' of group '${name}' must be a mapping, got ${JSON.stringify(raw)}.`);
      }
      warn(`${model.path}: skipped '${key}' in group '${name}': only hosts, vars and children belong there.`);
      continue;
    }
    if (key === 'vars') {
      for (const [variable, value] of Object.entries(section)) model.setGroupVar(name, variable, value);
    } else if (key === 'children') {
      for (const [child, childData] of Object.entries(section)) {
        readGroup(child, childData, model, warn);
        model.addChild(name, child);
      }
    } else if (key === 'hosts') {
      for (const [pattern, vars] of Object.entries(section)) {
        if (vars !== null && vars !== undefined && !isMapping(vars)) {
          throw new InventoryError(`${model.path}: host '${pattern}' in group '${name}' must map to its variables (or nothing), got ${JSON.stringify(vars)}.`);
        }
        model.addHosts(pattern, name, vars ?? {});
      }
    } else {
      warn(`${model.path}: skipped '${key}' in group '${name}': only hosts, vars and children belong there.`);
    }
  }
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof VaultedValue);
}
