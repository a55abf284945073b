// A real sshd on a loopback port and throwaway accounts, for the privileged tests and
// benchmarks (CONVENTIONS.md, "sshd and sudo on loopback"). Everything made here is
// removed by the matching stop()/remove(): keys and config live in one temp dir, each
// account and sudoers entry is named after the test that made it.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';

const sshdPath = '/usr/sbin/sshd';
/** The account tools live in sbin, which a root shell has on PATH and a minimal environment may not. */
const adminEnv = { ...process.env, PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` };

/**
 * Why sshd tests cannot run here, or undefined when they can. Only a missing capability
 * is a reason (not root, no sshd binary): `.ci/run` installs what is missing, so in CI
 * this is always undefined.
 */
export function sshdUnavailableReason() {
  if (process.getuid?.() !== 0) return 'sshd tests need root (they create accounts and run sshd)';
  if (!existsSync(sshdPath)) return `${sshdPath} is missing: apt-get install openssh-server`;
  if (!existsSync('/usr/bin/sudo')) return '/usr/bin/sudo is missing: apt-get install sudo';
  return undefined;
}

/** The variable `.ci/run` sets: privileged tests that cannot run fail instead of skipping. */
export const REQUIRE_PRIVILEGED = 'X_REQUIRE_PRIVILEGED';

/**
 * Decides whether a privileged test file's tests skip here; call it at the top level of the file.
 * Without `X_REQUIRE_PRIVILEGED=1` (a developer without root) a missing capability skips them and
 * prints the reason. With it (`.ci/run` sets it) the reason becomes one failing test instead, so a
 * CI run that lost its sshd, sudo or root is red, not green with no ssh coverage.
 * @param {string} what the tests, as the messages name them ('the ssh tests')
 * @param {string | undefined} [reason] why they cannot run here (default: sshdUnavailableReason())
 * @param {string} [remedy] what makes them run, in the failure's message
 * @returns {boolean} whether to skip them (describe.skipIf)
 */
export function skipPrivileged(what, reason = sshdUnavailableReason(), remedy = 'run as root with openssh-server and sudo installed') {
  if (reason === undefined) return false;
  if (process.env[REQUIRE_PRIVILEGED] === '1') {
    test(`${what} can run here (${REQUIRE_PRIVILEGED}=1)`, () => {
      throw new Error(
        `${what} cannot run: ${reason}. ${REQUIRE_PRIVILEGED}=1 (set by .ci/run) makes that a failure: ${remedy}, or unset it to skip them.`,
      );
    });
  } else {
    console.warn(`skipping ${what}: ${reason} (with ${REQUIRE_PRIVILEGED}=1, as in CI, this fails instead)`);
  }
  return true;
}

/** A loopback port nothing listens on: it was free a moment ago (for refused-connection cases). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function keygen(path, comment) {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], { stdio: 'ignore' });
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** An sshd_config line's keyword, as sshd matches it (case-insensitive). */
const keyword = (line) => line.trim().split(/\s+/)[0].toLowerCase();

/**
 * Starts `sshd -D -e` on 127.0.0.1 with fresh ed25519 host and client keys. The client key
 * is authorized for every account; password logins work for accounts given a password.
 * @param {{ startTimeoutMs?: number, config?: string[] }} [options] config: sshd_config lines that replace the fixture's own
 */
export async function startSshd({ startTimeoutMs = 10_000, config: extra = [] } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'x-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const clientKey = join(dir, 'client_ed25519');
  keygen(hostKey, 'x-test-host');
  keygen(clientKey, 'x-test-client');
  // sshd reads AuthorizedKeysFile as the account logging in, so the dir and file must be readable by it.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o644 });
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      // Benchmarks open 16+ connections at once; the defaults (10:30:100) drop some.
      'MaxStartups 200:30:400',
      'MaxSessions 200',
      'LogLevel ERROR',
    ]
      // sshd keeps the first value of some options and the last of others (MaxStartups): a caller's
      // line replaces the default of its keyword instead of joining it.
      .filter((line) => !extra.some((own) => keyword(own) === keyword(line)))
      .concat(extra, '')
      .join('\n'),
  );
  const log = [];
  const child = spawn(sshdPath, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr.setEncoding('utf8').on('data', (text) => log.push(text));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let dead;
  exited.then((status) => (dead = status));
  const deadline = Date.now() + startTimeoutMs;
  while (!(await accepts(port))) {
    if (dead || Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on port ${port} (${dead ? `exited ${JSON.stringify(dead)}` : 'timed out'}): ${log.join('')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The readiness probe connected and hung up before the key exchange; sshd logged that.
  log.length = 0;
  const hostPublicKey = readFileSync(`${hostKey}.pub`, 'utf8').trim();
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  return {
    host: '127.0.0.1',
    port,
    dir,
    clientKey,
    hostPublicKey,
    /** A known_hosts file that trusts this sshd's host key. */
    knownHosts,
    /** What sshd wrote to stderr so far (errors only). */
    log: () => log.join(''),
    /** The ssh client arguments for `user@127.0.0.1` with the client key and no host-key prompts. */
    sshArgs(user) {
      return [
        '-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no',
        '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-i', clientKey, '-p', String(port),
        `${user}@127.0.0.1`,
      ];
    },
    async stop() {
      if (!dead) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates a throwaway account, unlocked (sshd refuses a locked one even with a valid key),
 * with a password when given one, and a sudoers entry when asked.
 * @param {string} name
 * @param {{ password?: string, sudo?: 'nopasswd' | 'password' }} [options]
 */
export function createUser(name, { password, sudo } = {}) {
  if (!/^x[a-z0-9-]{1,30}$/.test(name)) throw new Error(`test account names start with x: ${name}`);
  removeUser(name);
  execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', name], { stdio: 'ignore', env: adminEnv });
  if (password === undefined) execFileSync('usermod', ['-p', '*', name], { stdio: 'ignore', env: adminEnv });
  else execFileSync('chpasswd', { input: `${name}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'], env: adminEnv });
  const sudoers = `/etc/sudoers.d/${name}`;
  if (sudo) {
    writeFileSync(sudoers, `${name} ALL=(ALL:ALL) ${sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`, { mode: 0o440 });
  }
  return { name, home: `/home/${name}`, remove: () => removeUser(name) };
}

/** Ends every process of the account, then removes it, its home and its sudoers entry. */
export function removeUser(name) {
  rmSync(`/etc/sudoers.d/${name}`, { force: true });
  try {
    execFileSync('id', [name], { stdio: 'ignore' });
  } catch {
    return;
  }
  try {
    execFileSync('pkill', ['-KILL', '-u', name], { stdio: 'ignore' });
  } catch {
    // No process left: pkill exits 1.
  }
  execFileSync('userdel', ['--force', '--remove', name], { stdio: 'ignore', env: adminEnv });
}
