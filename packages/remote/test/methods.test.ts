import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIRST_STAGE } from '../src/connect/first-stage.js';
import { InvalidArgumentError, type SshOptions } from '../src/index.js';
import { SUDO_PROMPT, dockerPlan, firstStageArgv, kubectlPlan, shellCommand, shellJoin, sshPlan, suPlan, sudoPlan } from '../src/connect/methods.js';

// The argv builders: what each method runs. No container engine runs in these tests; the ssh, sudo
// and su commands run for real in the privileged tests.
const stage = firstStageArgv('node', 'ctx', 15_000);

describe('shellJoin', () => {
  it('quotes words so that sh gives them back unchanged', () => {
    const words = ['node', '-e', FIRST_STAGE, "it's a name", 'a b', '$HOME', '`x`', '15000'];
    const echoed = execFileSync('sh', ['-c', `printf '%s\\0' ${shellJoin(words)}`], { encoding: 'utf8' });
    expect(echoed.split('\0').slice(0, -1)).toEqual(words);
  });
});

describe('shellCommand', () => {
  const home = execFileSync('sh', ['-c', 'printf %s ~'], { encoding: 'utf8' });
  const words = (nodePath: string): string[] => {
    const command = shellCommand([nodePath, '-e', "it's $HOME", '~/x'], nodePath);
    return execFileSync('sh', ['-c', `printf '%s\\0' ${command}`], { encoding: 'utf8' }).split('\0').slice(0, -1);
  };

  it("lets the shell expand the ~ of nodePath, and only it", () => {
    expect(words('~/.nvm/versions/node/v20/bin/node')).toEqual([`${home}/.nvm/versions/node/v20/bin/node`, '-e', "it's $HOME", '~/x']);
    expect(words('~root/bin/node')[0]).toBe(`${execFileSync('sh', ['-c', 'printf %s ~root'], { encoding: 'utf8' })}/bin/node`);
    expect(words('~/odd dir/$(id)/node')[0]).toBe(`${home}/odd dir/$(id)/node`);
  });

  it('quotes a ~ anywhere else, and a home prefix that is not a user name', () => {
    expect(words('/opt/~/node')[0]).toBe('/opt/~/node');
    expect(words("~$(id)/node")[0]).toBe('~$(id)/node');
    expect(words('node')[0]).toBe('node');
  });
});

describe('ssh', () => {
  it('runs in BatchMode with keepalives and the first stage as one remote command, leaving host keys to ssh', () => {
    const plan = sshPlan({ hostname: 'web1', username: 'deploy', port: 2222, identityFile: '/k', sshArgs: ['-F', '/dev/null'] });
    expect(plan.terminal).toBe(false);
    expect(plan.argv(stage)).toEqual([
      'ssh', '-F', '/dev/null',
      '-o', 'LogLevel=ERROR', '-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3', '-o', 'ConnectTimeout=30',
      '-i', '/k', '-o', 'IdentitiesOnly=yes', '-p', '2222', '-l', 'deploy', '-T', '--', 'web1',
      shellJoin(stage),
    ]);
  });

  it('asks for a terminal only with a password, and maps checkHostKeys', () => {
    expect(sshPlan({ hostname: 'h', password: 'pw' }).terminal).toBe(true);
    expect(sshPlan({ hostname: 'h', password: 'pw' }).argv(stage)).toContain('BatchMode=no');
    expect(sshPlan({ hostname: 'h', checkHostKeys: 'accept' }).argv(stage)).toContain('StrictHostKeyChecking=accept-new');
    expect(sshPlan({ hostname: 'h', checkHostKeys: 'strict' }).argv(stage)).toContain('StrictHostKeyChecking=yes');
    expect(sshPlan({ hostname: 'h', checkHostKeys: 'enforce' }).argv(stage)).toContain('StrictHostKeyChecking=yes');
    expect(sshPlan({ hostname: 'h' }).argv(stage).join(' ')).not.toContain('StrictHostKeyChecking');
    const ignore = sshPlan({ hostname: 'h', checkHostKeys: 'ignore', compression: true, keepaliveIntervalMs: 5000, keepaliveCount: 2 }).argv(stage);
    expect(ignore).toEqual(expect.arrayContaining(['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'ServerAliveInterval=5', 'ServerAliveCountMax=2', '-C']));
  });

  it('with become, has the login run sudo -n to the account before the first stage: one process on the far side', () => {
    const plan = sshPlan({ hostname: 'web1', become: { username: 'app' }, nodePath: '~/.nvm/node' });
    expect(plan.argv(stage).at(-1)).toBe(shellCommand(['sudo', '-n', '-u', 'app', '--', ...stage], '~/.nvm/node'));
    expect(plan.where).toBe('ssh web1, sudo to app');
    expect(plan.defaultName).toBe('ssh:web1/sudo:app');
    expect(sshPlan({ hostname: 'web1', become: {} }).argv(stage).at(-1)).toBe(shellJoin(['sudo', '-n', '-u', 'root', '--', ...stage]));
    for (const become of [null, 'root', { username: '-u' }, { sudoPath: '' }]) expect(() => sshPlan({ hostname: 'h', become } as never)).toThrow(InvalidArgumentError);
  });

  it('refuses a password through via: a context has no terminal to type it on', () => {
    const via = { id: 1, call: () => Promise.resolve() } as never;
    expect(() => sshPlan({ hostname: 'h', password: 'pw', via })).toThrow(/absent when ssh runs through via/);
    expect(sshPlan({ hostname: 'h', via }).terminal).toBe(false);
  });

  it('with multiplex, shares a master per set of connection options in a private directory it makes', () => {
    const base = mkdtempSync(join(tmpdir(), 'x-mux-'));
    try {
      const directory = join(base, 'ssh');
      const options = (plan: ReturnType<typeof sshPlan>) => plan.argv(stage).filter((word) => /^Control/.test(word));
      const shared = options(sshPlan({ hostname: 'web1', username: 'deploy', multiplex: { directory } }));
      expect(statSync(directory).mode & 0o777).toBe(0o700);
      expect(shared).toEqual(['ControlMaster=auto', expect.stringMatching(new RegExp(`^ControlPath=${directory}/[0-9a-f]{32}$`)), 'ControlPersist=60']);
      // The same options share a socket; any option that changes how the login is made or checked does not.
      expect(options(sshPlan({ hostname: 'web1', username: 'deploy', multiplex: { directory, persistSeconds: 5 } }))[1]).toBe(shared[1]);
      const others: Partial<SshOptions>[] = [{ checkHostKeys: 'ignore' }, { identityFile: '/k' }, { port: 2222 }, { sshArgs: ['-o', 'ProxyJump=b'] }, { username: 'root' }];
      for (const other of others) {
        expect(options(sshPlan({ hostname: 'web1', username: 'deploy', ...other, multiplex: { directory } }))[1]).not.toBe(shared[1]);
      }
      // A % in the directory is ssh's token character: written %%.
      const percent = join(base, 'a%b');
      expect(options(sshPlan({ hostname: 'h', multiplex: { directory: percent } }))[1]).toMatch(/a%%b\/[0-9a-f]{32}$/);

      mkdirSync(join(base, 'open'), { mode: 0o755 });
      chmodSync(join(base, 'open'), 0o755);
      symlinkSync(directory, join(base, 'link'));
      const via = { id: 1, call: () => Promise.resolve() } as never;
      for (const [multiplex, message] of [
        [{ directory: join(base, 'open') }, /has mode 755: group or others may reach the sockets \(chmod 700 it\)/],
        [{ directory: join(base, 'link') }, /is not a directory/],
        [{ directory: 'relative/ssh' }, /an absolute path/],
        [{ directory: `/${'d'.repeat(60)}` }, /at most 57 bytes/],
        [{ directory, persistSeconds: 0 }, /persistSeconds/],
      ] as const) {
        expect(() => sshPlan({ hostname: 'h', multiplex } as never)).toThrow(message);
      }
      expect(() => sshPlan({ hostname: 'h', via, multiplex: { directory } })).toThrow(/absent when ssh runs through via/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('rejects bad options with ERR_X_INVALID_ARG', () => {
    for (const options of [{ hostname: '-oProxyCommand=x' }, { hostname: 'a b' }, { hostname: 'h', port: 0 }, { hostname: 'h', checkHostKeys: 'yes' }, { hostname: 'h', password: 'a\nb' }, { hostname: 'h', sshArgs: 'x' }]) {
      expect(() => sshPlan(options as never)).toThrow(InvalidArgumentError);
    }
  });
});

describe('sudo and su', () => {
  it('sudo, docker and kubectl run a nodePath under ~ through sh, which expands it', () => {
    const tilde = firstStageArgv('~/n/node', 'ctx', 15_000);
    const viaShell = ['/bin/sh', '-c', `exec ${shellCommand(tilde, '~/n/node')}`];
    expect(sudoPlan({ nodePath: '~/n/node' }).argv(tilde).slice(-3)).toEqual(viaShell);
    expect(dockerPlan({ container: 'c', nodePath: '~/n/node' }, 'docker').argv(tilde).slice(-3)).toEqual(viaShell);
    expect(kubectlPlan({ pod: 'p', nodePath: '~/n/node' }).argv(tilde).slice(-3)).toEqual(viaShell);
    expect(suPlan({ nodePath: '~/n/node' }).argv(tilde).at(-1)).toMatch(/^~\/n\/node( --[\w-]+)* -e /);
  });

  it('sudo reads the password on stdin behind a fixed prompt', () => {
    const plan = sudoPlan({ username: 'app', preserveEnv: true, login: true, sudoArgs: ['-g', 'wheel'] });
    expect(plan.argv(stage)).toEqual(['sudo', '-S', '-p', SUDO_PROMPT, '-u', 'app', '-E', '-i', '-g', 'wheel', '--', ...stage]);
    expect(plan.rules.prompt!.test(`[sudo: ${SUDO_PROMPT}] Password:`)).toBe(true);
    expect(plan.rules.prompt!.test('Password:')).toBe(false);
  });

  it('su runs the first stage through -c, with configurable prompt patterns', () => {
    expect(suPlan({ username: 'app' }).argv(stage)).toEqual(['su', 'app', '-c', shellJoin(stage)]);
    expect(suPlan({}).rules.prompt!.test('Passwort: ')).toBe(true);
    expect(suPlan({}).rules.prompt!.test('Password：')).toBe(true);
    expect(suPlan({ passwordPrompt: /PIN for/ }).rules.prompt!.test('PIN for app:')).toBe(true);
    expect(() => suPlan({ passwordPrompt: 'Password:' as never })).toThrow(InvalidArgumentError);
  });
});

describe('container methods', () => {
  it('docker and podman exec -i the first stage', () => {
    expect(dockerPlan({ container: 'web', username: 'node' }, 'docker').argv(stage)).toEqual(['docker', 'exec', '-i', '-u', 'node', 'web', ...stage]);
    expect(dockerPlan({ container: 'web', dockerPath: '/usr/local/bin/podman' }, 'podman').argv(stage)).toEqual(['/usr/local/bin/podman', 'exec', '-i', 'web', ...stage]);
    expect(() => dockerPlan({ container: '--privileged' }, 'docker')).toThrow(InvalidArgumentError);
  });

  it('kubectl exec -i in a namespace and container', () => {
    const plan = kubectlPlan({ pod: 'api-0', namespace: 'prod', container: 'app', kubectlArgs: ['--context', 'eu'] });
    expect(plan.argv(stage)).toEqual(['kubectl', '--context', 'eu', 'exec', '-i', '-n', 'prod', '-c', 'app', 'api-0', '--', ...stage]);
    expect(plan.defaultName).toBe('kubectl:api-0');
  });
});
