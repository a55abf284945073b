// The x command over ssh to a real sshd on loopback (privileged: root, sshd and sudo installed), with
// the options from an inventory: every command, a chain through sudo, x copy where only root may
// write, x copy --fetch through a chain, and Ctrl+C during x exec.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { type Sshd, type TestUser, createUser, skipPrivileged, startSshd, freePort } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hybridTtyCreateChild } from '@x/process';
import { expectNoneLeft, jsonLines, startX, tasks, until, x, xBin } from './helpers.js';

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

const PASSWORD = 'x-sys-pw-5d2e';

describe.skipIf(skip)('x over ssh (loopback sshd)', () => {
  let sshd: Sshd;
  let user: TestUser;
  let pwUser: TestUser;
  let cwd: string;
  /** An inventory with no identity or known_hosts of its own: ssh's config file (-F) decides, as ~/.ssh/config would. */
  let bare: string;
  let sshConfig: string;

  beforeAll(async () => {
    sshd = await startSshd();
    user = createUser('xsysssh', { sudo: 'nopasswd' });
    pwUser = createUser('xsyspw', { password: PASSWORD, sudo: 'password' });
    cwd = mkdtempSync(join(tmpdir(), 'x-sshd-'));
    // Node where nvm would put it: under the account's home, reached with ~.
    mkdirSync(join(user.home, '.xnode'), { recursive: true });
    symlinkSync(process.execPath, join(user.home, '.xnode', 'node'));
    sshConfig = join(cwd, 'ssh_config');
    writeFileSync(
      sshConfig,
      [
        'Host cfgweb',
        '  HostName 127.0.0.1',
        'Host cfgweb aliased',
        `  Port ${sshd.port}`,
        `  User ${user.name}`,
        `  IdentityFile ${sshd.clientKey}`,
        '  IdentitiesOnly yes',
        '  StrictHostKeyChecking no',
        '  UserKnownHostsFile /dev/null',
        '',
      ].join('\n'),
    );
    bare = join(cwd, 'bare.json');
    writeFileSync(
      bare,
      JSON.stringify({
        defaults: { nodePath: process.execPath, sshArgs: ['-F', sshConfig] },
        hosts: { aliased: { hostname: '127.0.0.1' } },
      }),
    );
    writeFileSync(
      join(cwd, 'x.inventory.json'),
      JSON.stringify({
        defaults: { identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-o', `UserKnownHostsFile=${sshd.knownHosts}`] },
        hosts: {
          loop: { hostname: sshd.host, port: sshd.port, user: 'root' },
          inner: { hostname: sshd.host, port: sshd.port, user: user.name, nodePath: '~/.xnode/node' },
        },
        groups: { pair: ['loop', 'loop'], mixed: ['loop', `${user.name}@loop`, 'local'] },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    user?.remove();
    pwUser?.remove();
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

  it('a chain of ssh then sudo is one Node process on the far side: the login runs sudo', async () => {
    const result = await x(['run', '--on', `${user.name}@loop/sudo:root`, '--json', `${tasks}#hopPid`], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const [outcome] = jsonLines(result.stdout);
    expect(outcome).toMatchObject({ ok: true });
    // sudo's parent is the login's sshd session (or its shell), not a Node context.
    const parent = readFileSync(`/proc/${String(outcome!['result'])}/cmdline`, 'latin1');
    expect(parent).not.toMatch(/node/);
  });

  it('shares a login between x commands for --ssh-persist seconds (default 60) in a private directory; 0 turns it off', async () => {
    const home = mkdtempSync(join(tmpdir(), 'x-persist-home-'));
    const env = { HOME: home, XDG_RUNTIME_DIR: undefined };
    const login = async (...flags: string[]) => {
      const result = await x(['run', '--on', `${user.name}@loop`, '--json', ...flags, `${tasks}#hopPid`], { cwd, env });
      expect(result.code, result.stderr).toBe(0);
      return Number(jsonLines(result.stdout)[0]!['result']);
    };
    const sockets = join(home, '.x', 'ssh');
    try {
      // The far side's sshd connection process: the same one while the login is shared.
      const first = await login();
      expect(statSync(sockets).mode & 0o777).toBe(0o700);
      expect(readdirSync(sockets)).toHaveLength(1);
      expect(await login()).toBe(first);
      expect(await login('--ssh-persist', '0')).not.toBe(first);
      // Other options make another login, never one made with weaker checks.
      expect(await login('--check-host-keys', 'ignore')).not.toBe(first);
      expect(readdirSync(sockets)).toHaveLength(2);
    } finally {
      for (const socket of readdirSync(sockets)) execFileSync('ssh', ['-O', 'exit', '-o', `ControlPath=${join(sockets, socket)}`, 'x'], { stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('connects unshared, and says why, when the socket directory is not private', async () => {
    const runtime = mkdtempSync(join(tmpdir(), 'x-persist-run-'));
    try {
      mkdirSync(join(runtime, 'x', 'ssh'), { recursive: true, mode: 0o755 });
      chmodSync(join(runtime, 'x', 'ssh'), 0o755);
      const result = await x(['run', '--on', `${user.name}@loop`, '--json', `${tasks}#hopPid`], { cwd, env: { XDG_RUNTIME_DIR: runtime } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        `x: ssh logins are not shared (--ssh-persist; 0 turns it off): Expected \`multiplex.directory\` to be a private directory of this user (this one has mode 755: group or others may reach the sockets (chmod 700 it)), got '${join(runtime, 'x', 'ssh')}'`,
      );
      expect(readdirSync(join(runtime, 'x', 'ssh'))).toEqual([]);
      const refused = await x(['run', '--on', `${user.name}@loop`, '--ssh-persist', 'soon', `${tasks}#hopPid`], { cwd });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain("--ssh-persist takes a number of seconds (0 turns sharing off), got 'soon'.");
    } finally {
      rmSync(runtime, { recursive: true, force: true });
    }
  });

  it('where sudo wants a password and none is given, the chain falls back to a sudo hop, which says so', async () => {
    const result = await x(['run', '--on', `ssh://${pwUser.name}@127.0.0.1:${sshd.port}/sudo`, '--json', '-i', sshd.clientKey, '--check-host-keys', 'ignore', '--node-path', process.execPath, `${tasks}#whoami`], { cwd });
    expect(result.code).toBe(1);
    const [outcome] = jsonLines(result.stdout);
    expect(outcome).toMatchObject({ ok: false });
    // The sudo hop's own error, as before sudo ran in the login: typed, and saying what to do.
    expect(outcome!['error']).toMatchObject({ name: 'PasswordError', code: 'ERR_X_REMOTE_PASSWORD' });
    expect(outcome!['error'].message).toMatch(/sudo asked for a password .* but none was given/);
  });

  it('targets whose chains begin with the same ssh login share it: one login serves every sudo behind it', async () => {
    const chain = `${user.name}@loop/sudo`;
    const result = await x(['run', '--on', `${chain}:root,${chain}:root,${chain}:${user.name}`, '--json', `${tasks}#hopPid`], { cwd });
    expect(result.code, result.stderr).toBe(0);
    const outcomes = jsonLines(result.stdout);
    expect(outcomes.map((o) => o['target']).sort()).toEqual([`${chain}:root`, `${chain}:root#2`, `${chain}:${user.name}`]);
    expect(outcomes.every((o) => o['ok'] === true)).toBe(true);
    expect(new Set(outcomes.map((o) => o['result'])).size).toBe(1);
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
      expect(result.stdout).toContain(`loop${' '.repeat(chain.length - 4)} | 1 file`);
      for (const directory of ['loop', `${user.name}@loop%2Fsudo:root`]) {
        expect(readFileSync(join(out, directory, 'hostname'), 'utf8')).toBe(readFileSync('/etc/hostname', 'utf8'));
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 40_000);

  it('x copy --owner through sudo gives the files an owner by name, resolved on the target; a second copy changes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'x-sshd-owner-'));
    try {
      const file = join(cwd, 'x.inventory.json');
      const args = ['copy', '--on', `${user.name}@loop/sudo:root`, '--owner', `${user.name}:${user.name}`, '--json', '--timeout', '20000', file, `${out}/deep/`];
      const [first] = jsonLines((await x(args, { cwd })).stdout);
      expect(first).toMatchObject({ ok: true, result: { files: 1, changed: 1, unchanged: 0 } });
      const uid = Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' }));
      expect(statSync(join(out, 'deep', 'x.inventory.json')).uid).toBe(uid);
      // The directory sudo made above it got the usual mode, not 0700.
      expect(statSync(join(out, 'deep')).mode & 0o777).toBe(0o755);
      const [second] = jsonLines((await x(args, { cwd })).stdout);
      expect(second).toMatchObject({ ok: true, result: { files: 1, changed: 0, unchanged: 1 } });
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
  it("the alias goes to ssh: its Host block's HostName, Port, User, IdentityFile and StrictHostKeyChecking apply", async () => {
    const result = await x(['run', '--on', 'cfgweb', '--inventory', bare, '--json', `${tasks}#whoami`], { cwd });
    expect(result.stderr).toBe('');
    expect(jsonLines(result.stdout)[0]).toMatchObject({ target: 'cfgweb', ok: true, result: { uid: Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' })) } });
  });

  it("an inventory hostname goes as HostName, and the alias's Host block still gives the port, user and key", async () => {
    const result = await x(['run', '--on', 'aliased', '--inventory', bare, '--json', `${tasks}#whoami`], { cwd });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0]!['result'].uid).not.toBe(0);
  });

  it("each hop of a chain takes its own inventory entry: inner's user, port and ~ nodePath for inner", async () => {
    const result = await x(['run', '--on', 'loop/inner', '--json', `${tasks}#whoami`], { cwd });
    expect(result.stderr).toBe('');
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({ target: 'loop/inner', ok: true, result: { node: process.version } });
    expect(line!['result'].uid).toBe(Number(execFileSync('id', ['-u', user.name], { encoding: 'utf8' })));
  });

  it('a sudo hop runs the node of the ssh hop before it, ~ and all, whatever --node-path says', async () => {
    const result = await x(['run', '--on', 'inner/sudo', '--node-path', '/nonexistent/node', '--json', `${tasks}#whoami`], { cwd });
    expect(result.stderr).toBe('');
    expect(jsonLines(result.stdout)[0], result.stdout).toMatchObject({ target: 'inner/sudo', ok: true, result: { uid: 0, node: process.version } });
  });

  it('the summary and --json name what ssh said: Connection refused, Permission denied, Host key verification failed', async () => {
    const closed = await freePort();
    const stranger = join(cwd, `stranger-${randomUUID()}`);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger], { stdio: 'ignore' });
    const empty = join(cwd, `known-${randomUUID()}`);
    writeFileSync(empty, '');
    const refused = `ssh://${user.name}@127.0.0.1:${closed}`;
    const denied = `ssh://${user.name}@127.0.0.1:${sshd.port}`;
    const cases: [string[], string, RegExp][] = [
      [['--on', refused], 'ERR_X_REMOTE_CONNECTION_REFUSED', new RegExp(`ssh: connect to host 127\\.0\\.0\\.1 port ${closed}: Connection refused`)],
      [['--on', denied, '-i', stranger, '--check-host-keys', 'ignore'], 'ERR_X_REMOTE_AUTH', /Permission denied \(publickey/],
      [['--on', denied, '-o', `UserKnownHostsFile=${empty}`], 'ERR_X_REMOTE_HOST_KEY', /^Host key verification failed/],
    ];
    for (const [args, code, said] of cases) {
      const json = await x(['ping', '--inventory', bare, '--json', ...args], { cwd });
      expect(json.code).toBe(1);
      const [line] = jsonLines(json.stdout);
      expect(line!['error']).toMatchObject({ code, transient: false });
      expect(line!['error'].message).toMatch(said);
      const table = await x(['ping', '--inventory', bare, ...args], { cwd });
      const row = table.stderr.split('\n').find((text) => text.startsWith(args[1]!) && text.includes(code));
      expect(row, table.stderr).toMatch(said.source.startsWith('^') ? new RegExp(said.source.slice(1)) : said);
    }
  }, 60_000);

  it('--ask-pass and -K: asked once each on the terminal, without echo, typed at the ssh and sudo prompts, and shown nowhere', async () => {
    const empty = join(cwd, `known-${randomUUID()}`);
    writeFileSync(empty, '');
    const target = `ssh://${pwUser.name}@127.0.0.1:${sshd.port}/sudo`;
    const run = await onTerminal(['run', '--on', target, '--inventory', bare, '--json', '--ask-pass', '-K', '--check-host-keys', 'accept', '-o', `UserKnownHostsFile=${empty}`, `${tasks}#whoami`], [
      ['SSH password: ', PASSWORD],
      ['BECOME password (sudo, su): ', PASSWORD],
    ]);
    expect(run.exited).toMatchObject({ code: 0 });
    expect(jsonLines(run.stdout)[0]).toMatchObject({ ok: true, result: { uid: 0 } });
    expect(run.screen).not.toContain(PASSWORD);
    expect(run.stdout).not.toContain(PASSWORD);
    await expectNoneLeft(run.marker);
  }, 40_000);
});


/**
 * Runs x with stderr and its controlling terminal on a pty and stdout on a socket, answering each
 * prompt once as it appears on the terminal.
 */
async function onTerminal(args: string[], answers: [prompt: string, answer: string][]): Promise<{ screen: string; stdout: string; exited: unknown; marker: string }> {
  const marker = randomUUID();
  const child = hybridTtyCreateChild(process.execPath, [xBin, ...args], { env: { ...process.env, X_TEST_MARKER: marker } });
  let stdout = '';
  const output = child.readable(1).setEncoding('utf8');
  output.on('data', (chunk: string) => (stdout += chunk));
  const ended = new Promise((resolve) => output.once('close', resolve));
  let screen = '';
  let from = 0;
  const pending = [...answers];
  for await (const chunk of child.terminal!.input) {
    screen += chunk;
    const next = pending[0];
    const at = next ? screen.indexOf(next[0], from) : -1;
    if (next && at >= 0) {
      from = at + next[0].length;
      pending.shift();
      await child.terminal!.output.send(`${next[1]}\r`);
    }
  }
  const exited = await child.exited;
  await ended;
  child.stdio.close();
  return { screen, stdout, exited, marker };
}
