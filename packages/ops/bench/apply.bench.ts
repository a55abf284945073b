// `x apply` of the 9-task site (site.ts: a directory, five files, two lines in a file, a command guarded
// by `creates`) to ten targets over ssh and sudo to root, side by side in one run with the same site
// for ansible-playbook (site.yml, Debian's ansible-core), for ansible-playbook with the newest mitogen's
// strategy plugin, and for `x run` of the same work written by hand (plain.ts). Two cases: the first
// run (everything to do) and a second run (nothing to change). Whole commands are timed, start to exit.
// A run that exits other than 0, reports another number of changes than expected, or leaves another
// state than spec.ts says is not a figure: the benchmark fails.
//
// The targets are ten accounts (xopsb0...) on one loopback sshd (tooling/test-env), each reached as
// itself and then sudo to root, the shape of a fleet where every host is a login plus become. Ansible
// runs with its defaults plus what makes it fastest on this site: forks for all ten targets at once,
// pipelining, no fact gathering (the site uses none), a fixed python interpreter (no discovery). Its
// ssh ControlPersist (60 s by default) is kept, and so are x's shared logins (--ssh-persist, 60 s by
// default, the same OpenSSH mechanism): after the warm-up round both tools' logins are warm, as when a
// user runs them again within the minute. A row with `x apply --ssh-persist 0` gives x with a new login
// per target per run, beside the login floor. x apply typechecks the site before it contacts a target (TypeScript resolves
// from bench/), which each of its runs pays once; a second pair of cases leaves that out
// (--no-typecheck) to set the run itself beside the hand-written x run, which typechecks nothing.
// X_OPS_BENCH_TARGETS and X_OPS_BENCH_ROUNDS make a smaller run for a smoke test.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BatchSide, compareBatches } from '@x/bench';
import { createUser, sshdUnavailableReason, startSshd } from '@x/test-env/sshd';
import { findMitogens, python } from '../../remote/bench/mitogen.js';
import { benchBase, hostsSeed, siteFiles, siteLines } from './spec.js';

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const xBin = fileURLToPath(new URL('../../system/bin/x.js', import.meta.url));
const targetCount = Number(process.env['X_OPS_BENCH_TARGETS'] ?? 10);
const rounds = Number(process.env['X_OPS_BENCH_ROUNDS'] ?? 3);
/** What the site does on a target's first run: every one of its 9 tasks changes something. */
const tasks = 9;

const reason = sshdUnavailableReason();
if (reason !== undefined) {
  console.log(`ops apply benchmarks skipped: ${reason}`);
  process.exit(0);
}

/** A finished command: its exit status and everything it printed. */
interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runCommand(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Finished> {
  const started = performance.now();
  const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

/** The command's time, once its exit status is 0 and `changes` (target -> tasks changed) says `expected` for every target. */
function judged(what: string, finished: Finished, changes: (finished: Finished) => Map<string, number>, expected: number): number {
  const tail = (text: string) => text.trim().split('\n').slice(-20).join('\n');
  if (finished.status !== 0) throw new Error(`${what} exited with ${finished.status}:\n${tail(finished.stdout)}\n${tail(finished.stderr)}`);
  const counts = changes(finished);
  const wrong = [...counts].filter(([, count]) => count !== expected);
  if (counts.size !== targetCount || wrong.length > 0) {
    throw new Error(`${what}: expected ${expected} changed on each of ${targetCount} targets, got ${JSON.stringify(Object.fromEntries(counts))}:\n${tail(finished.stdout)}`);
  }
  return finished.ms;
}

/** Changed tasks per host from ansible-playbook's PLAY RECAP; a host with failed or unreachable tasks counts -1. */
function ansibleChanges(finished: Finished): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [, host, changed, unreachable, failed] of finished.stdout.matchAll(/^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)) {
    counts.set(host!, unreachable === '0' && failed === '0' ? Number(changed) : -1);
  }
  return counts;
}

/** Changed tasks per target from `x run --json` of plain.ts (its result is that number). */
function plainChanges(finished: Finished): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of finished.stdout.split('\n').filter(Boolean)) {
    const outcome = JSON.parse(line) as { target: string; ok: boolean; result?: unknown };
    counts.set(outcome.target, outcome.ok && typeof outcome.result === 'number' ? outcome.result : -1);
  }
  return counts;
}

/** Changed resources per target from `x apply --json`: x's line per target carries its summary. */
function applyChanges(finished: Finished): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of finished.stdout.split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { type: string; target: string; ok?: boolean; summary?: { changed: number; failed: number } };
    if (event.type === 'summary') counts.set(event.target, event.ok === true && event.summary?.failed === 0 ? event.summary.changed : -1);
  }
  return counts;
}

const accounts = Array.from({ length: targetCount }, (_, k) => `xopsb${k}`);

/** Every target's tree as a first run finds it: the hosts file seeded, nothing else. */
function reset(): void {
  rmSync(benchBase, { recursive: true, force: true });
  mkdirSync(benchBase, { mode: 0o755 });
  for (const account of accounts) {
    mkdirSync(join(benchBase, account), { mode: 0o755 });
    writeFileSync(join(benchBase, account, 'hosts'), hostsSeed, { mode: 0o644 });
  }
}

/** Fails unless every target's tree is what the site makes (contents, modes, root-owned). */
function verify(after: string): void {
  const check = (path: string, isDirectory: boolean, mode: number, content?: string) => {
    const found = statSync(path, { throwIfNoEntry: false });
    const problem =
      found === undefined ? 'is missing'
      : found.isDirectory() !== isDirectory ? `is not a ${isDirectory ? 'directory' : 'file'}`
      : (found.mode & 0o7777) !== mode ? `has mode ${(found.mode & 0o7777).toString(8)}, not ${mode.toString(8)}`
      : found.uid !== 0 ? `is owned by uid ${found.uid}, not root`
      : content !== undefined && readFileSync(path, 'utf8') !== content ? `holds ${JSON.stringify(readFileSync(path, 'utf8'))}, not ${JSON.stringify(content)}`
      : undefined;
    if (problem !== undefined) throw new Error(`after ${after}: ${path} ${problem}`);
  };
  for (const account of accounts) {
    const root = join(benchBase, account);
    check(join(root, 'app'), true, 0o755);
    for (const [name, content] of Object.entries(siteFiles)) check(join(root, 'app', name), false, 0o644, content);
    check(join(root, 'hosts'), false, 0o644, hostsSeed + siteLines.map(({ line }) => `${line}\n`).join(''));
    if (statSync(join(root, 'app', 'installed'), { throwIfNoEntry: false }) === undefined) throw new Error(`after ${after}: ${root}/app/installed is missing`);
  }
}

/** One tool's run of the site: the command, and how to read its changes per target. */
interface Side {
  name: string;
  run: () => Promise<Finished>;
  changes: (finished: Finished) => Map<string, number>;
}

const sshd = await startSshd();
const users = accounts.map((account) => createUser(account, { sudo: 'nopasswd' }));
const cwd = mkdtempSync(join(tmpdir(), 'x-ops-bench-'));
try {
  const hosts = accounts.map((account, k) => [`t${k}`, account] as const);
  writeFileSync(
    join(cwd, 'x.inventory.json'),
    JSON.stringify({
      hosts: Object.fromEntries(
        hosts.map(([host, account]) => [
          host,
          { hostname: sshd.host, port: sshd.port, user: account, identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-o', `UserKnownHostsFile=${sshd.knownHosts}`], become: 'sudo' },
        ]),
      ),
      groups: { fleet: hosts.map(([host]) => host) },
    }),
  );
  // JSON is YAML: Ansible's yaml inventory plugin reads it.
  writeFileSync(
    join(cwd, 'inventory.yml'),
    JSON.stringify({
      fleet: {
        hosts: Object.fromEntries(hosts.map(([host, account]) => [host, { ansible_host: sshd.host, ansible_port: sshd.port, ansible_user: account }])),
        vars: {
          ansible_ssh_private_key_file: sshd.clientKey,
          ansible_ssh_common_args: `-o UserKnownHostsFile=${sshd.knownHosts}`,
          ansible_python_interpreter: python,
        },
      },
    }),
  );
  const x = (command: string, ...args: string[]) => () => runCommand(process.execPath, [xBin, command, '--on', '@fleet', '--json', '--timeout', '600000', ...args], cwd);
  const ours: Side = { name: 'x apply', run: x('apply', here('./site.ts')), changes: applyChanges };
  const unshared: Side = { name: 'x apply --ssh-persist 0 (a new login per target per run)', run: x('apply', '--ssh-persist', '0', here('./site.ts')), changes: applyChanges };
  const untyped: Side = { name: 'x apply --no-typecheck', run: x('apply', '--no-typecheck', here('./site.ts')), changes: applyChanges };
  const plain: Side = { name: 'x run of the same work by hand (plain.ts)', run: x('run', `${here('./plain.ts')}#site`), changes: plainChanges };
  const peers = [plain];

  const ansibleVersion = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (ansibleVersion.status !== 0) {
    console.log('ansible-playbook and ansible-playbook with mitogen skipped: ansible-playbook does not run here (apt-get install ansible-core)');
  } else {
    console.log(`ansible: ${ansibleVersion.stdout.split('\n')[0]}`);
    const ansibleEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ANSIBLE_FORKS: String(targetCount),
      ANSIBLE_PIPELINING: 'True',
      ANSIBLE_RETRY_FILES_ENABLED: 'False',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_LOCAL_TEMP: join(cwd, 'ansible-local'),
      ANSIBLE_SSH_CONTROL_PATH_DIR: join(cwd, 'ansible-cp'),
    };
    delete ansibleEnv['PYTHONPATH'];
    const playbook = (env: NodeJS.ProcessEnv) => () => runCommand('ansible-playbook', ['-i', join(cwd, 'inventory.yml'), here('./site.yml')], cwd, env);
    peers.push({ name: 'ansible-playbook', run: playbook(ansibleEnv), changes: ansibleChanges });
    // The newest mitogen (MITOGEN_SRC or ../shared/peers, found as the remote benchmarks find it): its
    // ansible_mitogen declares Ansible 2.10 and later, so Debian's ansible-core 2.14 is in its range.
    const newest = findMitogens('ops apply benchmarks').at(-1);
    const plugins = newest && spawnSync(python, ['-c', 'import ansible_mitogen, os; print(os.path.dirname(ansible_mitogen.__file__))'], { encoding: 'utf8', env: newest.env });
    if (newest === undefined || plugins === undefined || plugins.status !== 0) {
      console.log(`ansible-playbook with mitogen skipped: ${newest === undefined ? 'no mitogen found' : `mitogen ${newest.version} has no ansible_mitogen python can import`}`);
    } else {
      console.log(`ansible with the newest mitogen only, ${newest.version} (${plugins.stdout.trim()}), strategy mitogen_linear`);
      const mitogenEnv = { ...ansibleEnv, PYTHONPATH: newest.env['PYTHONPATH'], ANSIBLE_STRATEGY_PLUGINS: join(plugins.stdout.trim(), 'plugins/strategy'), ANSIBLE_STRATEGY: 'mitogen_linear' };
      peers.push({ name: 'ansible-playbook with the newest mitogen (mitogen_linear)', run: playbook(mitogenEnv), changes: ansibleChanges });
    }
  }

  const batch = (side: Side, expected: number, first: boolean): BatchSide => ({
    name: side.name,
    run: async () => {
      if (first) reset();
      const ms = judged(`${side.name} (${first ? 'first' : 'second'} run)`, await side.run(), side.changes, expected);
      verify(`${side.name} (${first ? 'first' : 'second'} run)`);
      return ms;
    },
  });
  // What any tool that logs in to each target pays before it does anything: each account's ssh login
  // and its sudo, all at once, as the ten targets' connections are made. Not a peer to beat: the floor
  // under every side here (Ansible's ControlPersist may save it the logins of later rounds).
  const floor: BatchSide = {
    name: `${targetCount} parallel ssh logins running \`sudo -n true\` (the login floor)`,
    run: async () => {
      const started = performance.now();
      const logins = await Promise.all(
        accounts.map((account) =>
          runCommand('ssh', ['-i', sshd.clientKey, '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-p', String(sshd.port), `${account}@${sshd.host}`, 'sudo -n true'], cwd),
        ),
      );
      const failed = logins.find((login) => login.status !== 0);
      if (failed !== undefined) throw new Error(`a login of the floor failed (${failed.status}): ${failed.stderr}`);
      return performance.now() - started;
    },
  };
  const load = () => loadavg().map((figure) => figure.toFixed(2)).join(', ');
  const about = `the 9-task site to ${targetCount} targets over ssh and sudo (whole command, wall time)`;

  for (const first of [true, false]) {
    const run = first ? 'first run' : 'second run (no changes)';
    const expected = first ? tasks : 0;
    if (!first) {
      // The state every second run starts from, made by the hand-written side (each side's first run
      // already proved that it makes the same state).
      reset();
      judged('x run of plain.ts (the state for the second runs)', await plain.run(), plainChanges, tasks);
    }
    console.log(`load average before the ${run}: ${load()}`);
    await compareBatches({
      name: `ops: x apply of ${about}, ${run}`,
      ours: batch(ours, expected, first),
      peers: [...peers.map((peer) => batch(peer, expected, first)), batch(unshared, expected, first), floor],
      rounds,
    });
    await compareBatches({
      name: `ops: x apply --no-typecheck of ${about}, ${run}`,
      ours: batch(untyped, expected, first),
      peers: [batch(plain, expected, first)],
      rounds,
    });
  }
  console.log(`load average at the end: ${load()}`);
} finally {
  for (const user of users) user.remove();
  await sshd.stop();
  rmSync(cwd, { recursive: true, force: true });
  rmSync(benchBase, { recursive: true, force: true });
}
