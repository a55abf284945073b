// Ansible's INI inventory: `[group]` sections of host lines (`name key=value ...`, split like a shell,
// `#` comments), `[group:vars]` of `key=value` lines, `[group:children]` of group names; lines before
// any section are ungrouped hosts. Values are read as Ansible reads them (./python-literal.ts).
import { type AnsibleModel } from './ansible-model.js';
import { InventoryError } from './errors.js';
import { pythonLiteral } from './python-literal.js';
import { ShellWordsError, shellWords } from './shell-words.js';

/**
 * Reads INI `text` into `model`.
 *
 * @throws InventoryError (`ERR_X_INVENTORY`) naming the file and line of anything Ansible would refuse.
 */
export function readIniInventory(text: string, model: AnsibleModel): void {
  let group = 'ungrouped';
  let state: 'hosts' | 'vars' | 'children' = 'hosts';
  // Groups named by [x:vars] or [x:children] before [x] declares them: an error if it never does.
  const pending = new Map<string, { line: number; state: 'vars' | 'children'; parents: string[] }>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const at = `${model.path}:${index + 1}`;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/.exec(line);
    if (section) {
      group = section[1]!;
      const kind = section[2] ?? 'hosts';
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        throw new InventoryError(`${at}: the section [${group}:${kind}] has an unknown type; sections are [group], [group:vars] and [group:children].`);
      }
      state = kind;
      if (!model.groups.has(group)) {
        if (state === 'vars' && !pending.has(group)) pending.set(group, { line: index + 1, state, parents: [] });
        model.group(group);
      }
      const waiting = pending.get(group);
      if (waiting && state !== 'vars') {
        if (waiting.state === 'children') addPendingChildren(group, pending, model);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      throw new InventoryError(`${at}: '${line}' is not a section; a section is [group], [group:vars] or [group:children], with no spaces.`);
    }
    if (state === 'hosts') {
      let words: string[];
      try {
        words = shellWords(line, { comments: true });
      } catch (error) {
        if (error instanceof ShellWordsError) throw new InventoryError(`${at}: ${error.message}`);
        throw error;
      }
      if (words.length === 0) continue;
      const vars: Record<string, unknown> = {};
      for (const word of words.slice(1)) {
        const equals = word.indexOf('=');
        if (equals === -1) throw new InventoryError(`${at}: expected key=value after the host name, got '${word}'.`);
        vars[word.slice(0, equals)] = pythonLiteral(word.slice(equals + 1));
      }
      model.addHosts(words[0]!, group, vars);
    } else if (state === 'vars') {
      const equals = line.indexOf('=');
      if (equals === -1) throw new InventoryError(`${at}: expected key=value in [${group}:vars], got '${line}'.`);
      model.setGroupVar(group, line.slice(0, equals).trim(), pythonLiteral(line.slice(equals + 1).trim()));
    } else {
      const child = /^([^:\]\s]+)\s*(?:#.*)?$/.exec(line)?.[1];
      if (child === undefined) throw new InventoryError(`${at}: expected a group name in [${group}:children], got '${line}'.`);
      if (model.groups.has(child)) model.addChild(group, child);
      else {
        const waiting = pending.get(child);
        if (waiting) waiting.parents.push(group);
        else pending.set(child, { line: index + 1, state: 'children', parents: [group] });
      }
    }
  }
  for (const [name, waiting] of pending) {
    if (waiting.state === 'vars') throw new InventoryError(`${model.path}:${waiting.line}: [${name}:vars] is for a group that is never declared; add a [${name}] section.`);
    throw new InventoryError(`${model.path}:${waiting.line}: [${waiting.parents.at(-1)}:children] names '${name}', which is no group; declare it with a [${name}] section.`);
  }
}

function addPendingChildren(group: string, pending: Map<string, { state: string; parents: string[] }>, model: AnsibleModel): void {
  for (const parent of pending.get(group)!.parents) {
    model.addChild(parent, group);
    if (pending.get(parent)?.state === 'children') addPendingChildren(parent, pending, model);
  }
  pending.delete(group);
}
