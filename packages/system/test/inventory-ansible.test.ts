// x's reading of Ansible inventories against Ansible's own: for each example inventory under
// fixtures/ansible (INI and YAML, with children, vars, group_vars/ and host_vars/ files and
// directories, ranges, ports), `ansible-inventory -i FILE --list` and `--graph` (Debian's ansible-core,
// installed by .ci/run) must give the same hosts, the same groups and the same connection variables as
// `x inventory --list` and `--graph`; and ansible-inventory's JSON, saved to a file, reads back the same.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { graphInventory, listInventory } from '../src/x/commands/inventory.js';
import { loadInventory } from '../src/x/inventory.js';
import { fixtures } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'x-ansible-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// No ansible.cfg of this machine or user changes what Ansible reads.
const config = join(scratch, 'ansible.cfg');
writeFileSync(config, '[defaults]\n');

const haveAnsible = spawnSync('ansible-inventory', ['--version'], { encoding: 'utf8' }).status === 0;
// CI installs ansible-core (.ci/run): there, a missing ansible-inventory fails instead of skipping.
const required = process.env['CI'] !== undefined;

const answers = new Map<string, string>();

function ansibleInventory(file: string, mode: '--list' | '--graph'): string {
  const known = answers.get(`${file} ${mode}`);
  if (known !== undefined) return known;
  const result = spawnSync('ansible-inventory', ['-i', file, mode], {
    cwd: dirname(file),
    encoding: 'utf8',
    env: { ...process.env, ANSIBLE_CONFIG: config, ANSIBLE_HOME: scratch, ANSIBLE_LOCAL_TEMP: scratch, ANSIBLE_NOCOLOR: '1' },
  });
  if (result.status !== 0) throw new Error(`ansible-inventory -i ${file} ${mode} failed: ${result.stderr}`);
  answers.set(`${file} ${mode}`, result.stdout);
  return result.stdout;
}

/** Python's shlex.split, which Ansible uses for ansible_ssh_common_args, as the reference. */
function pythonSplit(texts: string[]): string[][] {
  const result = spawnSync('python3', ['-c', 'import json,shlex,sys; print(json.dumps([shlex.split(t) for t in json.load(sys.stdin)]))'], {
    input: JSON.stringify(texts),
    encoding: 'utf8',
  });
  return JSON.parse(result.stdout) as string[][];
}

/** What x should resolve from Ansible's merged host variables, by Ansible's documented rules. */
function expectedConnection(vars: Record<string, unknown>, cwd: string): Record<string, unknown> {
  const pick = (...names: string[]) => names.map((name) => vars[name]).filter((value) => value !== undefined && value !== null).at(-1);
  const out: Record<string, unknown> = {};
  const become = pick('ansible_become');
  if (become !== undefined && ['y', 'yes', 'on', '1', 'true', 't'].includes(String(become).toLowerCase())) {
    out['ansible_become'] = true;
    out['ansible_become_method'] = pick('ansible_become_method') ?? 'sudo';
    out['ansible_become_user'] = pick('ansible_become_user') ?? 'root';
  }
  if (pick('ansible_connection') === 'local') out['ansible_connection'] = 'local';
  const host = pick('ansible_host', 'ansible_ssh_host');
  if (host !== undefined) out['ansible_host'] = String(host);
  const port = pick('ansible_port', 'ansible_ssh_port');
  if (port !== undefined) out['ansible_port'] = Number(port);
  const args = ['ansible_ssh_common_args', 'ansible_ssh_extra_args'].map((name) => vars[name]).filter((value): value is string => typeof value === 'string');
  if (args.length > 0) out['ansible_ssh_common_args'] = pythonSplit(args).flat();
  const key = pick('ansible_private_key_file', 'ansible_ssh_private_key_file');
  if (key !== undefined) out['ansible_ssh_private_key_file'] = resolve(cwd, String(key).replace(/^~(?=$|\/)/, homedir()));
  const user = pick('ansible_user', 'ansible_ssh_user');
  if (user !== undefined) out['ansible_user'] = String(user);
  if (vars['x_node_path'] !== undefined) out['x_node_path'] = vars['x_node_path'];
  return out;
}

const examples = [
  { name: 'an INI inventory with children, [vars], group_vars/ and host_vars/ files and directories, ranges and ports', file: join(fixtures, 'ansible/ini/hosts.ini') },
  { name: 'a YAML inventory with nested children, group priority, vars files and directories, ranges and ports', file: join(fixtures, 'ansible/yaml/inventory.yml') },
];

describe.skipIf(!haveAnsible && !required)('x inventory against ansible-inventory', () => {
  it('has ansible-inventory to compare with (CI installs ansible-core)', () => {
    expect(haveAnsible).toBe(true);
  });

  describe.each(examples)('$name', ({ file }) => {
    const cwd = dirname(file);
    const warnings: string[] = [];
    const loaded = () => loadInventory(file, { cwd, warn: (message) => warnings.push(message) });

    it('reads it as an Ansible inventory', () => {
      expect(loaded().format).toBe('ansible');
    });

    it('has the same groups, each with the same hosts and children in the same order', () => {
      const ansible = JSON.parse(ansibleInventory(file, '--list')) as Record<string, unknown>;
      const ours = listInventory(loaded());
      delete ansible['_meta'];
      delete ours['_meta'];
      expect(ours).toEqual(ansible);
    });

    it('gives every host the connection variables Ansible would use', () => {
      const ansible = JSON.parse(ansibleInventory(file, '--list')) as { _meta: { hostvars: Record<string, Record<string, unknown>> } };
      const ours = listInventory(loaded())['_meta'] as { hostvars: Record<string, Record<string, unknown>> };
      const hosts = Object.keys(ansible._meta.hostvars);
      expect(Object.keys(ours.hostvars).sort()).toEqual(hosts.filter((host) => Object.keys(expectedConnection(ansible._meta.hostvars[host]!, cwd)).length > 0).sort());
      for (const host of hosts) {
        const mine = { ...ours.hostvars[host] };
        if (typeof mine['ansible_ssh_common_args'] === 'string') mine['ansible_ssh_common_args'] = pythonSplit([mine['ansible_ssh_common_args']])[0];
        expect({ host, ...mine }).toEqual({ host, ...expectedConnection(ansible._meta.hostvars[host]!, cwd) });
      }
    });

    it("reads ansible-inventory --list's own JSON (a dynamic inventory saved to a file) back to the same hosts, groups and variables", () => {
      const saved = join(scratch, `${basename(file)}.json`);
      writeFileSync(saved, ansibleInventory(file, '--list'));
      const again = loadInventory(saved, { cwd, warn: () => {} });
      expect(listInventory(again)).toEqual(listInventory(loaded()));
    });

    it('draws the same --graph', () => {
      expect(`${graphInventory(loaded(), 'all').join('\n')}\n`).toBe(ansibleInventory(file, '--graph'));
    });
  });
});
