// connect(): what each hop of a chain is started with, from the target, its inventory entry and the
// command line's defaults, and which hops several targets share. The router here records the options
// instead of connecting; the sshd tests run the same chains for real.
import type { Router } from '@x/remote';
import { describe, expect, it } from 'vitest';
import { type HopDefaults, connect } from '../src/x/connect.js';
import { type Closable, SharedHops } from '../src/x/shared-hops.js';
import type { Target } from '../src/x/targets.js';

/**
 * A router that records each start's options and each context's shutdown; `failing` holds hostnames
 * whose next ssh start fails (once each).
 */
function recorder(failing = new Set<string>(), sudoRefuses = false): { router: Router; calls: [string, Record<string, unknown>][]; shutdowns: string[] } {
  const calls: [string, Record<string, unknown>][] = [];
  const shutdowns: string[] = [];
  const method = (name: string) => async (options: Record<string, unknown>) => {
    calls.push([name, { ...options, via: options['via'] === undefined ? undefined : '<context>' }]);
    // A real start takes a while: the other targets come to wait on a shared one meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (failing.delete(String(options['hostname']))) throw Object.assign(new Error(`ssh to ${String(options['hostname'])} refused`), { code: 'ERR_X_REMOTE_CONNECTION_REFUSED' });
    if (sudoRefuses && options['become'] !== undefined) throw Object.assign(new Error('ssh exited with status 1 before the first stage started'), { code: 'ERR_X_REMOTE_EOF', stderrTail: 'sudo: a password is required' });
    const home = options['username'] === undefined ? '/root' : `/home/${String(options['username'])}`;
    // A context says which node it runs as the one it was told to run, found from its home.
    const execPath = String(options['nodePath'] ?? 'node').replace(/^~(?=\/)/, home);
    return {
      name: options['name'],
      call: (module: URL, name: string) => Promise.resolve(module.href.endsWith('/ping-task.js') && name === 'execPath' ? execPath : undefined),
      shutdown: () => {
        shutdowns.push(String(options['name']));
        return Promise.resolve();
      },
    };
  };
  const router = { local: method('local'), ssh: method('ssh'), sudo: method('sudo'), su: method('su') } as unknown as Router;
  return { router, calls, shutdowns };
}

const chain: Target = {
  name: 'bastion/db1/sudo',
  hops: [
    { method: 'ssh', alias: 'bastion', hostname: 'bastion' },
    { method: 'ssh', alias: 'db1', hostname: '10.0.0.5', username: 'dba', port: 2222, identityFile: '/keys/db', sshArgs: ['-o', 'ConnectTimeout=5'] },
    { method: 'sudo', username: 'root' },
  ],
};

async function hopsOf(target: Target, defaults?: HopDefaults): Promise<[string, Record<string, unknown>][]> {
  const { router, calls } = recorder();
  await connect(router, target, { signal: new AbortController().signal, ...(defaults && { defaults }) }, []);
  return calls;
}

describe('connect()', () => {
  it('gives ssh the alias, with the inventory hostname as HostName, and leaves the rest to ssh', async () => {
    expect(await hopsOf(chain)).toEqual([
      ['ssh', { name: 'bastion/db1/sudo[0]', hostname: 'bastion', via: undefined }],
      [
        'ssh',
        {
          name: 'bastion/db1/sudo[1]',
          hostname: 'db1',
          sshArgs: ['-o', 'ConnectTimeout=5', '-o', 'HostName=10.0.0.5'],
          username: 'dba',
          port: 2222,
          identityFile: '/keys/db',
          via: '<context>',
        },
      ],
      ['sudo', { name: 'bastion/db1/sudo', username: 'root', via: '<context>' }],
    ]);
  });

  it("applies the command line's defaults where the hop names nothing, and passwords where they can be typed", async () => {
    const defaults: HopDefaults = {
      identityFile: '/keys/cli',
      sshOptions: ['ProxyJump=jump', 'ConnectTimeout=9'],
      nodePath: '/opt/node/bin/node',
      checkHostKeys: 'accept',
      sshPassword: 'ssh-secret',
      becomePassword: 'become-secret',
    };
    const [bastion, db1, sudo] = await hopsOf(chain, defaults);
    expect(bastion![1]).toMatchObject({
      identityFile: '/keys/cli',
      sshArgs: ['-o', 'ProxyJump=jump', '-o', 'ConnectTimeout=9'],
      nodePath: '/opt/node/bin/node',
      checkHostKeys: 'accept',
      password: 'ssh-secret',
    });
    // The inventory's own sshArgs come first (ssh keeps the first value), its identity wins; ssh on a
    // later hop runs in a context, which has no terminal for a password.
    expect(db1![1]).toMatchObject({ identityFile: '/keys/db', sshArgs: ['-o', 'ConnectTimeout=5', '-o', 'HostName=10.0.0.5', '-o', 'ProxyJump=jump', '-o', 'ConnectTimeout=9'] });
    expect(db1![1]).not.toHaveProperty('password');
    expect(sudo![1]).toMatchObject({ username: 'root', password: 'become-secret', nodePath: '/opt/node/bin/node' });
  });

  it('runs a sudo or su hop with the node of the hop before it, its ~ made that login’s home', async () => {
    const target: Target = {
      name: 'web1/sudo/su:app',
      hops: [
        { method: 'ssh', alias: 'web1', hostname: 'web1', username: 'deploy', nodePath: '~/.nvm/versions/node/v20.19.0/bin/node' },
        { method: 'sudo', username: 'root' },
        { method: 'su', username: 'app' },
      ],
    };
    const [, sudo, su] = await hopsOf(target, { nodePath: '/usr/bin/node' });
    expect(sudo![1]).toMatchObject({ nodePath: '/home/deploy/.nvm/versions/node/v20.19.0/bin/node' });
    expect(su![1]).toMatchObject({ nodePath: '/home/deploy/.nvm/versions/node/v20.19.0/bin/node' });
    // Nothing named: each method's default (node in the PATH there).
    const plain = await hopsOf({ name: 'web1/sudo', hops: [target.hops[0]!, target.hops[1]!].map((hop) => ({ ...hop, nodePath: undefined }) as never) });
    expect(plain[1]![1]).not.toHaveProperty('nodePath');
  });

  it("keeps a hop's own nodePath and host-key policy over the defaults", async () => {
    const target: Target = { name: 'web1', hops: [{ method: 'ssh', alias: 'web1', hostname: 'web1', nodePath: '~/.nvm/node', checkHostKeys: 'strict' }] };
    const [[, options]] = (await hopsOf(target, { nodePath: '/usr/bin/node', checkHostKeys: 'ignore' })) as [[string, Record<string, unknown>]];
    expect(options).toMatchObject({ nodePath: '~/.nvm/node', checkHostKeys: 'strict' });
  });

  describe('ssh then sudo', () => {
    const sudo = { method: 'sudo', username: 'root' } as const;
    const login = (nodePath?: string): Target['hops'][number] => ({ method: 'ssh', alias: 'web1', hostname: 'web1', ...(nodePath === undefined ? {} : { nodePath }) });
    const web1: Target = { name: 'web1/sudo', hops: [login('/usr/bin/node'), sudo] };
    const signal = new AbortController().signal;
    const methods = (calls: [string, Record<string, unknown>][]) => calls.map(([method, options]) => `${method} ${String(options['name'])}${options['become'] ? ' +sudo' : ''}`);

    it('start as one context, sudo run by the login (sudo -n), when nothing else needs the login', async () => {
      const { router, calls } = recorder();
      await connect(router, web1, { signal }, []);
      expect(calls).toEqual([['ssh', { name: 'web1/sudo', hostname: 'web1', nodePath: '/usr/bin/node', become: { username: 'root' }, via: undefined }]]);
      // ~ is expanded by the login's shell, as the sudo hop would have been told the login's node.
      const { router: tilde, calls: tildeCalls } = recorder();
      await connect(tilde, { ...web1, hops: [login('~/.nvm/node'), sudo] }, { signal }, []);
      expect(methods(tildeCalls)).toEqual(['ssh web1/sudo +sudo']);
    });

    it('start as two when sudo refuses, a become password is to be typed, the node is looked up in PATH, or other targets share the login', async () => {
      const refused = recorder(new Set(), true);
      const held: Closable[] = [];
      await connect(refused.router, web1, { signal }, held);
      expect(methods(refused.calls)).toEqual(['ssh web1/sudo +sudo', 'ssh web1/sudo[0]', 'sudo web1/sudo']);
      expect(held).toHaveLength(2);
      const typed = recorder();
      await connect(typed.router, web1, { signal, defaults: { becomePassword: 'pw' } }, []);
      expect(methods(typed.calls)).toEqual(['ssh web1/sudo[0]', 'sudo web1/sudo']);
      const inPath = recorder();
      await connect(inPath.router, { ...web1, hops: [login(), sudo] }, { signal }, []);
      expect(methods(inPath.calls)).toEqual(['ssh web1/sudo[0]', 'sudo web1/sudo']);
      const app: Target = { name: 'web1/sudo:app', hops: [web1.hops[0]!, { method: 'sudo', username: 'app' }] };
      const both = recorder();
      const shared = new SharedHops([web1.hops, app.hops]);
      await Promise.all([connect(both.router, web1, { signal, shared }, []), connect(both.router, app, { signal, shared }, [])]);
      expect(methods(both.calls).sort()).toEqual(['ssh web1', 'sudo web1/sudo', 'sudo web1/sudo:app']);
    });
  });

  describe('with shared hops', () => {
    const bastion = { method: 'ssh', alias: 'bastion', hostname: 'bastion' } as const;
    const db1 = { method: 'ssh', alias: 'db1', hostname: 'db1', username: 'dba', port: 2222 } as const;
    const targets: Target[] = [
      { name: 'bastion/dba@db1:2222/sudo', hops: [bastion, db1, { method: 'sudo', username: 'root' }] },
      { name: 'bastion/dba@db1:2222/sudo:app', hops: [bastion, db1, { method: 'sudo', username: 'app' }] },
      { name: 'bastion/db2', hops: [bastion, { method: 'ssh', alias: 'db2', hostname: 'db2' }] },
      { name: 'bastion', hops: [bastion] },
    ];
    const signal = new AbortController().signal;

    it('starts the hops several chains begin with once, a chain’s last hop always its own, and shuts a shared hop down when its last holder lets go', async () => {
      const { router, calls, shutdowns } = recorder();
      const shared = new SharedHops();
      const held: Closable[][] = targets.map(() => []);
      const last = await Promise.all(targets.map((target, k) => connect(router, target, { signal, shared }, held[k]!)));
      expect(last.map((context) => (context as unknown as { name: string }).name)).toEqual(targets.map((target) => target.name));
      expect(calls.map(([method, options]) => `${method} ${String(options['name'])}`).sort()).toEqual([
        // The bastion as the fourth target is that target's own context, not the shared hop.
        'ssh bastion',
        'ssh bastion',
        'ssh bastion/db2',
        'ssh bastion/dba@db1:2222',
        'sudo bastion/dba@db1:2222/sudo',
        'sudo bastion/dba@db1:2222/sudo:app',
      ]);
      const release = async (k: number): Promise<void> => {
        for (const context of held[k]!.splice(0).reverse()) await context.shutdown();
      };
      await release(0);
      expect(shutdowns).toEqual(['bastion/dba@db1:2222/sudo']);
      await release(1);
      expect(shutdowns).toEqual(['bastion/dba@db1:2222/sudo', 'bastion/dba@db1:2222/sudo:app', 'bastion/dba@db1:2222']);
      await release(3);
      await release(2);
      expect(shutdowns.slice(3)).toEqual(['bastion', 'bastion/db2', 'bastion']);
      // Let go of twice (a retry, then the end of the target): nothing is shut down twice.
      await release(2);
      expect(shutdowns).toHaveLength(6);
    });

    it('a shared hop that fails fails every target waiting on it, and the next try starts it afresh', async () => {
      const { router, calls, shutdowns } = recorder(new Set(['bastion']));
      const shared = new SharedHops();
      const held: Closable[][] = [[], []];
      const tries = await Promise.allSettled(targets.slice(0, 2).map((target, k) => connect(router, target, { signal, shared }, held[k]!)));
      expect(tries.map((outcome) => outcome.status === 'rejected' && (outcome.reason as Error).message)).toEqual(['ssh to bastion refused', 'ssh to bastion refused']);
      expect(calls).toHaveLength(1);
      for (const holds of held) for (const context of holds.splice(0)) await context.shutdown();
      expect(shutdowns).toEqual([]);
      await connect(router, targets[0]!, { signal, shared }, held[0]!);
      expect(calls.map(([method]) => method)).toEqual(['ssh', 'ssh', 'ssh', 'sudo']);
    });
  });
});
