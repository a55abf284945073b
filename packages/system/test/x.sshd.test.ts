// The x command over ssh to a real sshd on loopback (privileged: root, sshd and sudo installed), with
// the options from an inventory: every command, a chain through sudo, x copy where only root may
// write, x copy --fetch through a chain, and Ctrl+C during x exec.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { type Sshd, type TestUser, createUser, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoneLeft, jsonLines, startX, tasks, until, x } from './helpers.js';

useLeakCheck();

const skip = skipPrivileged('the x-over-ssh tests');

/** Processes whose command line contains `token` (a remote side carries no marker in its environment). */
function processesWith(token: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ');
      if (command.includes(token)) found.push(`${entry} ${command}`);
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

describe.skipIf(skip)('x over ssh (loopback sshd)', () => {
  let sshd: Sshd;
  let user: TestUser;
  let cwd: string;

  beforeAll(async () => {
    sshd = await startSshd();
    user = createUser('xsysssh', { sudo: 'nopasswd' });
    cwd = mkdtempSync(join(tmpdir(), 'x-sshd-'));
    writeFileSync(
      join(cwd, 'x.inventory.json'),
      JSON.stringify({
        defaults: { identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-o', `UserKnownHostsFile=${sshd.knownHosts}`] },
        hosts: { loop: { hostname: sshd.host, port: sshd.port, user: 'root' } },
        groups: { pair: ['loop', 'loop'], mixed: ['loop', `${user.name}@loop`, 'local'] },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    user?.remove();
    await sshd?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('x run calls the function over ssh on every target of a group, with the inventory’s user, port, key and node', async () => {
    const result = await x(['run', '--on', '@mixed', '--json', `${tasks}#whoami`], { cwd });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const byTarget = Object.fromEntries(jsonLines(result.stdout).map((o) => [o['target'], o]));
    expect(Object.keys(byTarget).sort()).toEqual(['local', 'loop', `${user.name}@loop`]);
    expect(byTarget['loop']).toMatchObject({ ok: true, result: { uid: 0, node: process.version } });
    expect(byTarget[`${user.name}@loop`]!['result'].uid).not.toBe(0);
  });

  it('a chain through sudo runs as root after logging in as another user', async () => {
    const result = await x(['run', '--on', `${user.name}@loop/sudo:root`, '--json', `${tasks}#whoami`], { cwd });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ target: `${user.name}@loop/sudo:root`, ok: true, result: { uid: 0 } });
  });

  it('x exec streams the command’s lines over ssh, prefixed and apart', async () => {
    const result = await x(['exec', '--on', '@pair', '--', 'sh', '-c', 'id -un; echo oops >&2'], { cwd });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(['loop   | root', 'loop#2 | root']);
    expect(result.stderr).toContain('loop   | oops\n');
  });

  it('x ping shows each ssh target’s Node and timings', async () => {
    const result = await x(['ping', '--on', 'loop', '--json'], { cwd });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ ok: true, result: { node: process.version, platform: 'linux' } });
  });

  it('x copy over ssh: a destination only root may write fails the other user’s target with EACCES while root’s gets the file', async () => {
    // mkdtemp gives 0700 and root owns it: the test user cannot enter it.
    const out = mkdtempSync(join(tmpdir(), 'x-sshd-copy-'));
    try {
      const file = join(cwd, 'x.inventory.json');
      // --timeout: a transfer that stalls fails as a timeout here rather than hanging the test.
      const result = await x(['copy', '--on', `loop,${user.name}@loop`, '--json', '--timeout', '20000', file, `${out}/`], { cwd });
      expect(result.code).toBe(1);
      const byTarget = Object.fromEntries(jsonLines(result.stdout).map((o) => [o['target'], o]));
      expect(byTarget['loop']).toMatchObject({ ok: true, result: { files: 1, bytes: statSync(file).size } });
      expect(byTarget[`${user.name}@loop`]).toMatchObject({
        ok: false,
        error: { name: 'FileError', code: 'EACCES', path: join(out, 'x.inventory.json'), context: `${user.name}@loop` },
      });
      expect(readFileSync(join(out, 'x.inventory.json'), 'utf8')).toBe(readFileSync(file, 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 40_000);

  it('x copy --fetch over ssh and through sudo puts each target’s copy in a directory named after it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'x-sshd-fetch-'));
    try {
      const chain = `${user.name}@loop/sudo:root`;
      const result = await x(['copy', '--on', `loop,${chain}`, '--fetch', '--timeout', '20000', '/etc/hostname', out], { cwd });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`loop${' '.repeat(chain.length - 4)} | 1 file, `);
      for (const directory of ['loop', `${user.name}@loop%2Fsudo:root`]) {
        expect(readFileSync(join(out, directory, 'hostname'), 'utf8')).toBe(readFileSync('/etc/hostname', 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 40_000);

  it('Ctrl+C during x exec over ssh ends x by SIGINT and leaves nothing running on the host', async () => {
    const token = `600.${Date.now() % 100_000}`;
    const run = startX(['exec', '--on', '@pair', '--', 'sleep', token], { cwd });
    await until(() => processesWith(`sleep ${token}`).length === 2, 30_000);
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(result.signal).toBe('SIGINT');
    await expectNoneLeft(run.marker);
    await until(() => processesWith(`sleep ${token}`).length === 0, 5_000).catch(() => {
      throw new Error(`left running: ${processesWith(`sleep ${token}`).join('; ')}`);
    });
  });
});
