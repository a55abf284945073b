// The x command with an Ansible inventory: `x inventory` (--graph, --list, --json) and its usage
// errors, the help that lists the inventory fields, and `--on @group --limit PATTERN` running on the
// hosts the pattern keeps (ansible_connection=local hosts, so no sshd is needed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, describe, expect, it } from 'vitest';
import { x } from './helpers.js';

useLeakCheck();

const scratch = mkdtempSync(join(tmpdir(), 'x-inventory-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const hosts = join(scratch, 'hosts');
writeFileSync(
  hosts,
  [
    '[app]',
    'app[1:2] ansible_connection=local ansible_python_interpreter=/usr/bin/python3',
    '[db]',
    'db1 ansible_connection=local',
    '[dc:children]',
    'app',
    'db',
    '[dc:vars]',
    'ansible_ssh_pass=secret',
  ].join('\n'),
);

describe('x inventory', () => {
  it('draws the groups as a tree by default, and names the ignored ansible_* variables once on stderr', async () => {
    const result = await x(['inventory', '--inventory', hosts], { cwd: scratch });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(['@all:', '  |--@ungrouped:', '  |--@dc:', '  |  |--@app:', '  |  |  |--app1', '  |  |  |--app2', '  |  |--@db:', '  |  |  |--db1', ''].join('\n'));
    expect(result.stderr).toBe(`x: warning: ${hosts} sets ansible_python_interpreter, ansible_ssh_pass, which x ignores (x --help lists the variables it reads).\n`);
  });

  it('prints JSON shaped like ansible-inventory --list for --list and --json', async () => {
    for (const flag of ['--list', '--json']) {
      const result = await x(['inventory', flag, '--inventory', hosts], { cwd: scratch });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        _meta: { hostvars: { app1: { ansible_connection: 'local' }, app2: { ansible_connection: 'local' }, db1: { ansible_connection: 'local' } } },
        all: { children: ['ungrouped', 'dc'] },
        dc: { children: ['app', 'db'] },
        app: { hosts: ['app1', 'app2'] },
        db: { hosts: ['db1'] },
      });
    }
  });

  it('draws one group when --graph names it', async () => {
    const result = await x(['inventory', '--graph', 'db', '--inventory', hosts], { cwd: scratch });
    expect(result.stdout).toBe('@db:\n  |--db1\n');
  });

  it.each([
    [['inventory'], /^x: there is no inventory: put x\.inventory\.json/],
    [['inventory', '--graph', 'nope', '--inventory', hosts], /^x: no group 'nope' in .*hosts \(its groups: all, ungrouped, app, db, dc\)/],
    [['inventory', '--list', '--graph', '--inventory', hosts], /^x: give --list or --graph, not both\./],
    [['inventory', '--list', 'web', '--inventory', hosts], /^x: unexpected argument 'web'; --list takes none\./],
  ])('x %j is a usage error (exit 2)', async (args, message) => {
    const result = await x(args, { cwd: scratch });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n').find((line) => !line.startsWith('x: warning:'))).toMatch(message);
    expect(result.stderr).toContain('usage: x inventory [--list | --graph [GROUP]]');
  });
});

describe('x --help and the inventory', () => {
  it('lists both inventory formats, the Ansible variables x reads, --limit and the inventory command', async () => {
    for (const args of [['--help'], ['inventory', '--help'], ['exec', '--help']]) {
      const result = await x(args);
      expect(result.code).toBe(0);
      for (const word of ['identityFile', 'become (sudo, su, sudo:USER, su:USER)', 'web[01:20].example.com', 'ansible_ssh_private_key_file', 'ansible_become_method', 'x_node_path', 'ignored, with a warning', '--limit PATTERN', '!exclude']) {
        expect(result.stdout).toContain(word);
      }
    }
    expect((await x(['--help'])).stdout).toMatch(/^ {2}inventory +show the hosts, groups and connection variables/m);
  });
});

describe('--on @group --limit PATTERN with an Ansible inventory', () => {
  it('runs on the hosts the pattern keeps, each a local context for ansible_connection=local', async () => {
    const result = await x(['exec', '--on', '@dc', '--limit', 'app*,!app2,db1', '--inventory', hosts, '--json', '--', 'node', '-e', 'process.stdout.write("ok")'], { cwd: scratch });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { target: string; ok: boolean });
    expect(lines.map((line) => [line.target, line.ok]).sort()).toEqual([
      ['app1', true],
      ['db1', true],
    ]);
  });

  it('refuses a pattern that matches no target before contacting any (exit 2, naming it)', async () => {
    const result = await x(['exec', '--on', '@dc', '--limit', 'web*', '--inventory', hosts, '--', 'true'], { cwd: scratch });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^x: --limit: 'web\*' matches none of the 3 targets --on gave \(app1, app2, db1\) or their groups\.$/m);
  });
});
