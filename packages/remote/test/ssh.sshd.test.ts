import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { createUser, skipPrivileged, startSshd, freePort } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ChannelError,
  ConnectionRefusedError,
  ConnectionResetError,
  type Context,
  EofError,
  HostKeyError,
  type LogRecord,
  NodeNotFoundError,
  PasswordError,
  type Router,
  type SshOptions,
} from '../src/index.js';
import { alive, eventually, processesWith, quietRouter } from './helpers.js';
import { CLOSE_POINTS, closeDuring, startRoot } from './starts.js';

useLeakCheck();

const hops = new URL('./fixtures/hops.ts', import.meta.url);
const skip = skipPrivileged('the ssh tests');

const PASSWORD = 'x-remote-pw-9f1c';
const SU_PASSWORD = 'x-remote-su-71ab';
type Sshd = Awaited<ReturnType<typeof startSshd>>;

describe.skipIf(skip)('router.ssh, sudo and su over a real sshd', () => {
  let sshd: Sshd;
  let dir: string;
  const users: { remove: () => void }[] = [];

  beforeAll(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), 'x-remote-ssh-'));
    users.push(createUser('xrkey', { sudo: 'nopasswd' }));
    users.push(createUser('xrpw', { password: PASSWORD, sudo: 'password' }));
    users.push(createUser('xrsu', { password: SU_PASSWORD }));
  });

  afterAll(async () => {
    for (const user of users) user.remove();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Options for user@127.0.0.1 on the test sshd, trusting its host key, with no ~/.ssh/config. */
  const to = (username: string, extra: Partial<SshOptions> = {}, withKey = true): SshOptions => ({
    hostname: '127.0.0.1',
    port: sshd.port,
    username,
    ...(withKey ? { identityFile: sshd.clientKey } : {}),
    sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${sshd.knownHosts}`],
    nodePath: process.execPath,
    connectTimeoutMs: 20_000,
    ...extra,
  });

  const knownHosts = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  const records = (router: Router): LogRecord[] => {
    const seen: LogRecord[] = [];
    router.onLog((record) => seen.push(record));
    return seen;
  };

  it('connects with a key (BatchMode) and keeps user output off the channel', async () => {
    await using router = quietRouter();
    const seen = records(router);
    const ctx = await router.ssh(to('xrkey', { name: 'web' }));
    const who = await ctx.call<{ user: string; title: string }>(hops, 'speak', 'key');
    expect(who.user).toBe('xrkey');
    expect(who.title).toBe('node (x:web)');
    expect(await ctx.call(hops, 'echo', new Map([[1, Buffer.from('x')]]))).toEqual(new Map([[1, Buffer.from('x')]]));
    expect(await eventually(() => seen.length >= 5)).toBe(true);
    // One Node process, under sshd: process.stdout keeps its name in-process; raw writes to fd 1 (its
    // children's too) arrive on ssh's stderr, beside fd 2's.
    expect(seen.map((record) => `${record.context.name} ${record.stream} ${record.text}`).sort()).toEqual([
      'web console key console',
      'web stderr key child',
      'web stderr key fd1',
      'web stderr key fd2',
      'web stdout key stdout',
    ]);
    const { pid, pgid, parent } = await ctx.call<{ pid: number; pgid: number; parent: string }>(hops, 'processInfo');
    expect(parent).toMatch(/^sshd/);
    expect(pgid).toBe(pid);
  });

  it('with multiplex, later logins are sessions on the first one, which outlives its contexts until ssh -O exit', async () => {
    const directory = join(dir, 'mux');
    const options = to('xrkey', { multiplex: { directory, persistSeconds: 30 } });
    const parentOf = async (ctx: Context) => (await ctx.call<{ ppid: number }>(hops, 'processInfo')).ppid;
    let socket: string;
    {
      await using router = quietRouter();
      // Logins started together before any master exists would each make their own: the first goes alone.
      const first = await router.ssh(options);
      const [second, again, unshared] = await Promise.all([router.ssh(options), router.ssh(options), router.ssh(to('xrkey'))]);
      // One sshd connection process is the parent of every shared context's Node; an unshared login has its own.
      const parents = await Promise.all([first, second, again, unshared].map(parentOf));
      expect(new Set(parents.slice(0, 3)).size).toBe(1);
      expect(parents[3]).not.toBe(parents[0]);
      const sockets = readdirSync(directory);
      expect(sockets).toHaveLength(1);
      socket = join(directory, sockets[0]!);
    }
    // The master stays up after its last context; a new router's login uses it.
    expect(execFileSync('ssh', ['-O', 'check', '-o', `ControlPath=${socket}`, 'x'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    await using router = quietRouter();
    const ctx = await router.ssh(options);
    expect(await ctx.call(hops, 'echo', 'shared')).toBe('shared');
    const master = await parentOf(ctx);
    await router.close();
    execFileSync('ssh', ['-O', 'exit', '-o', `ControlPath=${socket}`, 'x'], { stdio: 'ignore' });
    expect(await eventually(() => !alive(master) && readdirSync(directory).length === 0)).toBe(true);
  });

  it('types a password once on a pty, and never logs it', async () => {
    await using router = quietRouter();
    const seen = records(router);
    const ctx = await router.ssh(to('xrpw', { password: PASSWORD }, false));
    expect((await ctx.call<{ user: string }>(hops, 'whoami')).user).toBe('xrpw');
    expect(seen.some((record) => record.text.includes(PASSWORD))).toBe(false);
  });

  it('fails a wrong password with PasswordError after one attempt', async () => {
    await using router = quietRouter();
    const error = await router.ssh(to('xrpw', { password: 'wrong' }, false)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PasswordError);
    expect((error as PasswordError).code).toBe('ERR_X_REMOTE_PASSWORD');
    expect((error as PasswordError).message).toMatch(/asked for the password again|refused/);
  });

  it('fails with AuthenticationError starting with ssh\'s "Permission denied" when no key offered is authorized', async () => {
    await using router = quietRouter();
    const stranger = join(dir, 'stranger_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger], { stdio: 'ignore' });
    const error = await router.ssh(to('xrpw', { identityFile: stranger, name: 'web' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_AUTH', transient: false });
    expect((error as Error).message).toMatch(/^xrpw@127\.0\.0\.1: Permission denied \(publickey[^)]*\) \(context web, ssh xrpw@127\.0\.0\.1:\d+\): /);
  });

  it('fails with ConnectionRefusedError starting with ssh\'s line when nothing listens on the port', async () => {
    await using router = quietRouter();
    const port = await freePort();
    const error = await router.ssh(to('xrkey', { port })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_CONNECTION_REFUSED', transient: false });
    expect((error as Error).message).toMatch(new RegExp(`^ssh: connect to host 127\\.0\\.0\\.1 port ${port}: Connection refused \\(context `));
    // Through a via context the same class arrives, transient flag included.
    const via = await router.ssh(to('xrkey'));
    const second = await router.ssh(to('xrkey', { port, via })).catch((caught: unknown) => caught);
    expect(second).toBeInstanceOf(ConnectionRefusedError);
    expect(second).toMatchObject({ code: 'ERR_X_REMOTE_CONNECTION_REFUSED', transient: false });
  });

  it('fails with EofError led by ssh\'s own last line when ssh gives up for another reason', async () => {
    await using router = quietRouter();
    const error = await router.ssh(to('xrkey', { hostname: 'nonexistent.invalid' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EofError);
    expect((error as Error).message).toMatch(/^ssh: Could not resolve hostname nonexistent\.invalid: .* \(ssh for context .* exited with status 255 before the first stage started\)/);
  });

  it('fails with NodeNotFoundError naming the path when the host has no node there', async () => {
    await using router = quietRouter();
    const error = await router.ssh(to('xrkey', { nodePath: '/nonexistent/bin/node' })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeNotFoundError);
    expect((error as NodeNotFoundError).message).toContain('/nonexistent/bin/node');
  });

  it("refuses an unknown host key by ssh's own default and under 'strict', adds it under 'accept', skips it under 'ignore'", async () => {
    await using router = quietRouter();
    const empty = knownHosts('empty', '');
    for (const checkHostKeys of [undefined, 'strict', 'enforce'] as const) {
      const refused = await router.ssh(to('xrkey', { ...(checkHostKeys && { checkHostKeys }), sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${empty}`] })).catch((caught: unknown) => caught);
      expect(refused).toBeInstanceOf(HostKeyError);
      expect((refused as HostKeyError).code).toBe('ERR_X_REMOTE_HOST_KEY');
      expect((refused as HostKeyError).message).toMatch(/^Host key verification failed \(context .*\): the host's key is not in known_hosts/);
    }

    const fresh = knownHosts('fresh', '');
    const accepted = await router.ssh(to('xrkey', { checkHostKeys: 'accept', sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${fresh}`] }));
    expect((await accepted.call<{ user: string }>(hops, 'whoami')).user).toBe('xrkey');
    expect(readFileSync(fresh, 'utf8')).toContain(sshd.hostPublicKey.split(' ')[1]);

    const ignored = await router.ssh(to('xrkey', { checkHostKeys: 'ignore', sshArgs: ['-F', '/dev/null'] }));
    expect((await ignored.call<{ user: string }>(hops, 'whoami')).user).toBe('xrkey');
  });

  it("fails an unknown host key with HostKeyError when ssh, given a password, asks whether to trust it", async () => {
    await using router = quietRouter();
    const empty = knownHosts('asked', '');
    const error = await router.ssh(to('xrpw', { password: PASSWORD, sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${empty}`] }, false)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as Error).message).toMatch(/^Host key verification failed \(context .*\): ssh asked whether to trust an unknown host key/);
  });

  it("leaves the host key to ssh's configuration when checkHostKeys is unset", async () => {
    await using router = quietRouter();
    const config = join(dir, 'ssh_config_nocheck');
    writeFileSync(config, `Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile ${knownHosts('nocheck', '')}\n`);
    const ctx = await router.ssh(to('xrkey', { sshArgs: ['-F', config] }));
    expect((await ctx.call<{ user: string }>(hops, 'whoami')).user).toBe('xrkey');
  });

  it("refuses a changed host key under 'strict' and 'accept', saying it changed", async () => {
    await using router = quietRouter();
    const other = join(dir, 'other_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other], { stdio: 'ignore' });
    const changed = knownHosts('changed', `[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8')}`);
    for (const checkHostKeys of ['strict', 'accept'] as const) {
      const error = await router.ssh(to('xrkey', { checkHostKeys, sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${changed}`] })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HostKeyError);
      expect((error as Error).message).toMatch(/^Host key verification failed \(context .*\): the host key differs from the one in known_hosts/);
    }
  });

  it('expands a nodePath under ~ in the shell of the target account', async () => {
    await using router = quietRouter();
    const home = execFileSync('sh', ['-c', 'printf %s ~xrkey'], { encoding: 'utf8' });
    execFileSync('mkdir', ['-p', join(home, 'odd dir')]);
    execFileSync('ln', ['-sf', process.execPath, join(home, 'odd dir', 'node')]);
    const ctx = await router.ssh(to('xrkey', { nodePath: '~/odd dir/node' }));
    expect((await ctx.call<{ user: string }>(hops, 'whoami')).user).toBe('xrkey');
    const root = await router.sudo({ via: ctx, nodePath: '~xrkey/odd dir/node' });
    expect((await root.call<{ uid: number }>(hops, 'whoami')).uid).toBe(0);
  });

  it('runs sudo through ssh, without and with a password, and refuses a wrong one', async () => {
    await using router = quietRouter();
    const nopasswd = await router.ssh(to('xrkey'));
    const root1 = await router.sudo({ via: nopasswd, nodePath: process.execPath });
    expect((await root1.call<{ uid: number }>(hops, 'whoami')).uid).toBe(0);

    const asks = await router.ssh(to('xrpw'));
    const root2 = await router.sudo({ via: asks, password: PASSWORD, nodePath: process.execPath });
    expect((await root2.call<{ uid: number }>(hops, 'whoami')).uid).toBe(0);

    const wrong = await router.sudo({ via: asks, password: 'wrong', nodePath: process.execPath }).catch((caught: unknown) => caught);
    expect(wrong).toBeInstanceOf(PasswordError);
    expect((wrong as PasswordError).message).toContain('sudo');
    const none = await router.sudo({ via: asks, nodePath: process.execPath }).catch((caught: unknown) => caught);
    expect(none).toBeInstanceOf(PasswordError);
    // The failures left the via context serving.
    expect((await asks.call<{ user: string }>(hops, 'whoami')).user).toBe('xrpw');
  });

  it('runs su through ssh with a password, and refuses a wrong one', async () => {
    await using router = quietRouter();
    const web = await router.ssh(to('xrpw'));
    const app = await router.su({ username: 'xrsu', password: SU_PASSWORD, via: web, nodePath: process.execPath });
    expect((await app.call<{ user: string }>(hops, 'whoami')).user).toBe('xrsu');
    const wrong = await router.su({ username: 'xrsu', password: 'wrong', via: web, nodePath: process.execPath }).catch((caught: unknown) => caught);
    expect(wrong).toBeInstanceOf(PasswordError);
  });

  it('carries calls, log lines and module imports across ssh -> sudo -> su', async () => {
    await using router = quietRouter();
    const seen = records(router);
    const web = await router.ssh(to('xrpw', { name: 'hop1' }));
    const root = await router.sudo({ via: web, password: PASSWORD, nodePath: process.execPath, name: 'hop2' });
    const app = await router.su({ username: 'xrsu', via: root, nodePath: process.execPath, name: 'hop3' });
    const who = await app.call<{ user: string; title: string }>(hops, 'speak', 'deep');
    expect(who).toMatchObject({ user: 'xrsu', title: 'node (x:hop3)' });
    expect(await app.call(hops, 'later')).toBe('xrsu');
    expect(await eventually(() => seen.filter((record) => record.context.name === 'hop3').length >= 5)).toBe(true);
    expect(seen.filter((record) => record.context.name === 'hop3').map((record) => record.text).sort()).toEqual(['deep child', 'deep console', 'deep fd1', 'deep fd2', 'deep stdout']);
    expect((await root.call<{ uid: number }>(hops, 'whoami')).uid).toBe(0);
    // A local context as a fourth hop, started by the su context.
    const local = await router.local({ via: app, name: 'hop4' });
    expect(await local.call(hops, 'later')).toBe('xrsu');
    // Ending the middle hop ends what was started through it.
    await root.shutdown();
    expect((await app.disconnected).reason).toBe('disconnected');
    expect((await local.disconnected).reason).toBe('disconnected');
    expect((await web.call<{ user: string }>(hops, 'whoami')).user).toBe('xrpw');
  });

  it('routes a chain four hops deep: ssh -> sudo -> su -> sudo with a password', async () => {
    await using router = quietRouter();
    const seen = records(router);
    const hop1 = await router.ssh(to('xrkey'));
    const hop2 = await router.sudo({ via: hop1, nodePath: process.execPath });
    const hop3 = await router.su({ username: 'xrpw', via: hop2, nodePath: process.execPath });
    const hop4 = await router.sudo({ via: hop3, password: PASSWORD, nodePath: process.execPath, name: 'hop4' });
    expect((await hop4.call<{ uid: number }>(hops, 'speak', 'four')).uid).toBe(0);
    expect(await hop4.call(hops, 'later')).toBe('root');
    expect(await eventually(() => seen.filter((record) => record.context.name === 'hop4').length >= 5)).toBe(true);
    await hop1.shutdown();
    expect((await hop4.disconnected).reason).toBe('disconnected');
  });

  it('fails a pending call when sshd dies mid-call, and nothing hangs', async () => {
    await using router = quietRouter();
    const ctx: Context = await router.ssh(to('xrkey', { name: 'killed' }));
    const pending = ctx.call(hops, 'hang');
    await ctx.call(hops, 'whoami');
    // The per-connection sshd processes (the listener's children) serve this session.
    for (const pid of sessionPids('xrkey')) process.kill(pid, 'SIGKILL');
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).reason).toBe('disconnected');
  });

  it('fails a pending call within the keepalive budget when sshd stops answering', async () => {
    await using router = quietRouter();
    const ctx: Context = await router.ssh(to('xrpw', { keepaliveIntervalMs: 1000, keepaliveCount: 2 }));
    const pending = ctx.call(hops, 'hang');
    await ctx.call(hops, 'whoami');
    // A stopped sshd keeps the TCP connection open and silent, as a dead network does: only keepalives notice.
    const stopped = sessionPids('xrpw');
    for (const pid of stopped) process.kill(pid, 'SIGSTOP');
    try {
      const error = await pending.catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ChannelError);
      expect((error as ChannelError).reason).toBe('disconnected');
    } finally {
      for (const pid of stopped) process.kill(pid, 'SIGKILL');
    }
  });

  it('settles an ssh start that close() interrupts at any step, and leaves nothing of it on either side', async () => {
    // An ssh start takes longer than a local one: the later points reach its last steps too.
    for (const point of [...CLOSE_POINTS, 400, 600, 900]) {
      const marker = `x-remote-close-ssh-${randomUUID()}`;
      const router = quietRouter();
      await closeDuring(router, point, marker, () => router.ssh(to('xrkey', { name: marker })));
      // The ssh client is gone when the start settles; the far side ends once sshd sees the connection close.
      expect(await eventually(() => processesWith(marker).length === 0, 20_000), `close() at ${point}: ${processesWith(marker).join(' ')}`).toBe(true);
    }
  });

  it('ends every context, over ssh and via it, on kill -9 of the root process', async () => {
    const marker = `x-remote-root-kill-ssh-${randomUUID()}`;
    const root = startRoot(marker, to('xrkey'));
    try {
      const { pids, marked } = await root.contexts;
      expect(pids).toHaveLength(5);
      const all = [...pids, ...marked].filter((pid) => typeof pid === 'number');
      // The root knows every context's pid, the remote one's too (the core's ready answer carries it).
      expect(all).toHaveLength(10);
      expect(all.every(alive)).toBe(true);
      // The remote side runs as xrkey, with the marker in its command line, as every local context does.
      expect(processesWith(marker).length).toBeGreaterThanOrEqual(10);
      await root.kill();
      // An exiting process loses its command line a moment before it stops being alive: wait for both.
      const gone = (): boolean => processesWith(marker).length === 0 && !all.some(alive);
      expect(await eventually(gone, 20_000), `left: ${processesWith(marker).join(' ')}`).toBe(true);
    } finally {
      await root.kill();
    }
  });
});


function sessionPids(user: string): number[] {
  return execFileSync('pgrep', ['-f', `sshd: ${user}`], { encoding: 'utf8' }).trim().split('\n').map(Number);
}

describe.skipIf(skip)('router.ssh to an sshd past its MaxStartups', () => {
  let sshd: Sshd;
  let user: { remove: () => void };

  beforeAll(async () => {
    // From one unauthenticated connection on, every new one is dropped (start 1, rate 100%, full 1).
    sshd = await startSshd({ config: ['MaxStartups 1:100:1'] });
    user = createUser('xrfull');
  });

  afterAll(async () => {
    user?.remove();
    await sshd?.stop();
  });

  it('fails with a transient ConnectionResetError starting with ssh\'s kex_exchange_identification line', async () => {
    const held = await holdUnauthenticated(sshd.port);
    try {
      await using router = quietRouter();
      const options: SshOptions = {
        hostname: '127.0.0.1',
        port: sshd.port,
        username: 'xrfull',
        identityFile: sshd.clientKey,
        sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${sshd.knownHosts}`],
        nodePath: process.execPath,
      };
      const error = await router.ssh(options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConnectionResetError);
      expect(error).toMatchObject({ code: 'ERR_X_REMOTE_CONNECTION_RESET', transient: true });
      expect((error as Error).message).toMatch(/^kex_exchange_identification: (read: )?Connection (reset by peer|closed by remote host) \(context /);
      held.destroy();
      // With the slot free again, the same start succeeds: what a retry relies on.
      await eventually(() => held.destroyed);
      const ctx = await startWhenFree(router, options);
      expect((await ctx.call<{ user: string }>(hops, 'whoami')).user).toBe('xrfull');
    } finally {
      held.destroy();
    }
  });
});

/**
 * A connection sshd accepted (its banner arrived) and that never logs in: it holds one MaxStartups slot
 * for LoginGraceTime. A connection sshd dropped (an earlier probe still counted) is tried again.
 */
async function holdUnauthenticated(port: number): Promise<import('node:net').Socket> {
  for (;;) {
    const socket = connect({ host: '127.0.0.1', port });
    const banner = await new Promise<boolean>((resolve) => {
      socket.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1').startsWith('SSH-')));
      socket.once('close', () => resolve(false));
      socket.once('error', () => resolve(false));
    });
    if (banner) return socket;
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** sshd frees the held slot once it sees the close: until then a start is reset, as the test above shows. */
async function startWhenFree(router: Router, options: SshOptions): Promise<Context> {
  for (;;) {
    try {
      return await router.ssh(options);
    } catch (error) {
      if (!(error instanceof ConnectionResetError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
