// An Ansible inventory used as it is against a real sshd on loopback (privileged: root, sshd and sudo):
// hosts from a range, ansible_host/port/user, the key and ssh arguments from group_vars/all.yml,
// ansible_become ending a host's chain with sudo, and --limit choosing among them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { type Sshd, type TestUser, createUser, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, tasks, x } from './helpers.js';

useLeakCheck();

const skip = skipPrivileged('the Ansible-inventory-over-ssh tests');

describe.skipIf(skip)('x with an Ansible inventory over ssh (loopback sshd)', () => {
  let sshd: Sshd;
  let user: TestUser;
  let cwd: string;

  beforeAll(async () => {
    sshd = await startSshd();
    user = createUser('xsysans', { sudo: 'nopasswd' });
    cwd = mkdtempSync(join(tmpdir(), 'x-ansible-sshd-'));
    const connection = `ansible_host=${sshd.host} ansible_port=${sshd.port} ansible_user=${user.name}`;
    writeFileSync(join(cwd, 'hosts'), [`[web]`, `web[1:2] ${connection}`, '[db]', `db1 ${connection} ansible_become=yes`, '[dc:children]', 'web', 'db', ''].join('\n'));
    mkdirSync(join(cwd, 'group_vars'));
    writeFileSync(
      join(cwd, 'group_vars', 'all.yml'),
      [
        `ansible_ssh_private_key_file: ${sshd.clientKey}`,
        `ansible_ssh_common_args: -o UserKnownHostsFile=${sshd.knownHosts} -o IdentitiesOnly=yes`,
        `x_node_path: ${process.execPath}`,
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    user?.remove();
    await sshd?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('runs on every host of a group with its connection variables, a become host as root through sudo', async () => {
    const result = await x(['run', '--on', '@dc', '--inventory', 'hosts', '--json', `${tasks}#whoami`], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const byTarget = Object.fromEntries(jsonLines(result.stdout).map((line) => [line['target'], line]));
    expect(Object.keys(byTarget).sort()).toEqual(['db1', 'web1', 'web2']);
    expect(byTarget['db1']).toMatchObject({ ok: true, result: { uid: 0, node: process.version } });
    for (const web of ['web1', 'web2']) {
      expect(byTarget[web]).toMatchObject({ ok: true, result: { node: process.version } });
      expect(byTarget[web]!['result'].uid).not.toBe(0);
    }
  });

  it('--limit keeps the hosts its pattern selects', async () => {
    const result = await x(['exec', '--on', '@dc', '--inventory', 'hosts', '--limit', 'dc,!web2', '--json', '--', 'id', '-un'], { cwd });
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout).map((line) => [line['target'], (line['result'] as { stdout: string }).stdout.trim()]);
    expect(lines.sort()).toEqual([
      ['db1', 'root'],
      ['web1', user.name],
    ]);
  });
});
