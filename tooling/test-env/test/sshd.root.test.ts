import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '../src/index.js';
import { createUser, type Sshd, skipPrivileged, startSshd, type TestUser } from '../src/sshd.js';

const run = promisify(execFile);
const skip = skipPrivileged('the sshd fixture tests');

describe.skipIf(skip)('startSshd() and createUser()', () => {
  let sshd: Sshd;
  let keyUser: TestUser;
  beforeAll(async () => {
    sshd = await startSshd();
    keyUser = createUser('xfixture-key', { sudo: 'nopasswd' });
  });
  afterAll(async () => {
    keyUser.remove();
    await sshd.stop();
  });
  useLeakCheck();

  it('logs an unlocked account in with the client key, and its NOPASSWD sudo works', async () => {
    const { stdout } = await run('ssh', [...sshd.sshArgs(keyUser.name), 'id -un; sudo -n id -un']);
    expect(stdout.split('\n')).toEqual([keyUser.name, 'root', '']);
  });

  it('trusts its own host key through the known_hosts file it writes', async () => {
    const args = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes'];
    args.push('-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-i', sshd.clientKey, '-p', String(sshd.port));
    const { stdout } = await run('ssh', [...args, `${keyUser.name}@127.0.0.1`, 'echo trusted']);
    expect(stdout).toBe('trusted\n');
  });

  it('removes an account with its home and sudoers entry', async () => {
    const user = createUser('xfixture-gone', { password: 'not-a-secret-1', sudo: 'password' });
    expect(existsSync(user.home)).toBe(true);
    expect(existsSync(`/etc/sudoers.d/${user.name}`)).toBe(true);
    user.remove();
    expect(existsSync(user.home)).toBe(false);
    expect(existsSync(`/etc/sudoers.d/${user.name}`)).toBe(false);
    await expect(run('id', [user.name])).rejects.toThrow();
  });
});
