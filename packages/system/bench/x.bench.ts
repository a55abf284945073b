// The x command, whole commands (the built bin) timed from start to exit, each run's exit status checked:
// - `x run` of a trivial function on local*16, beside 16 bare `node -e` starts in parallel and `x exec` of
//   `node -e` on the same 16; once with the environment as it is and once with NODE_EXTRA_CA_CERTS unset
//   (reading a CA bundle costs every Node start tens of ms of CPU), each peer run the same way.
// - over ssh to 16 targets behind one loopback sshd: `x exec -- true` and `x run` against parallel-ssh
//   (and a bash loop of `ssh &`) running `true` on the same 16, wall time and the controller's CPU time.
// - `x run` on one ssh target against `ssh host true`, with the environment as it is and with
//   NODE_EXTRA_CA_CERTS unset, as for local*16.
// CPU time is /usr/bin/time's user + system of the command and every child it waited for: on the
// controller that is x and its ssh clients (or pssh and its ssh clients); the targets' sshd sessions and
// remote Node processes are sshd's children, so the CPU they spend on this machine is not counted.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BatchSide, compareBatches, recordFigures } from '@x/bench';
import { sshdUnavailableReason, startSshd } from '@x/test-env/sshd';

const xBin = fileURLToPath(new URL('../bin/x.js', import.meta.url));
const trivial = `${fileURLToPath(new URL('./trivial.ts', import.meta.url))}#answer`;
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
if (timeBin === undefined) console.log('CPU time and peak RSS skipped: no /usr/bin/time here (Debian package time)');
const rounds = 5;
const warmup = 1;

interface Usage {
  wallMs: number;
  /** User + system CPU of the command and the children it waited for (undefined without /usr/bin/time). */
  cpuMs?: number;
  /** Peak resident set of the largest process of the run, in KiB. */
  peakKiB?: number;
}

/** Runs `file args` to its end under /usr/bin/time; rejects on an exit status other than 0. */
function measure(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Usage> {
  const [command, argv] = timeBin ? [timeBin, ['-f', 'x-bench-usage %U %S %M', file, ...args]] : [file, args];
  const started = performance.now();
  const child = spawn(command, argv, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${file} ${args.join(' ')} exited with ${code ?? signal}: ${stderr}`));
      const usage = /x-bench-usage ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (timeBin && usage === null) return reject(new Error(`no usage from /usr/bin/time for ${file}: ${stderr}`));
      resolve(usage === null ? { wallMs } : { wallMs, cpuMs: (Number(usage[1]) + Number(usage[2])) * 1000, peakKiB: Number(usage[3]) });
    });
  });
}

/** A side timed for wall time whose CPU time and peak RSS are kept, one per run (warm-up runs first). */
interface Side extends BatchSide {
  usage: Usage[];
}

function side(name: string, run: () => Promise<Usage>): Side {
  const usage: Usage[] = [];
  return {
    name,
    usage,
    run: async () => {
      const one = await run();
      usage.push(one);
      return one.wallMs;
    },
  };
}

const x = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Side => side('x', () => measure(process.execPath, [xBin, ...args], options));

/** 16 (or `count`) bare `node -e` started at once, each awaited and its status checked: wall time of all. */
const bareNodes = (count: number, env: NodeJS.ProcessEnv): Side =>
  side(`${count} bare node -e starts in parallel`, async () => {
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, () => measure(process.execPath, ['-e', 'console.log(42)'], { env })));
    return { wallMs: performance.now() - started };
  });

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const measured = (s: Side, key: 'cpuMs' | 'peakKiB'): number[] => s.usage.slice(warmup).map((one) => one[key]!);

/**
 * One case of whole commands: wall time as `<name> (whole command, wall time)`, then, from the same runs,
 * the controller's CPU time as `<name> (controller CPU: the command and its children)`.
 */
async function wallAndCpu(name: string, ours: Side, peers: Side[], cpu = true): Promise<void> {
  await compareBatches({ name: `${name} (whole command, wall time)`, ours, peers, rounds, warmup });
  if (timeBin === undefined || !cpu) return;
  const withCpu = peers.filter((peer) => peer.usage.every((one) => one.cpuMs !== undefined));
  recordFigures({
    name: `${name} (controller CPU: the command and its children)`,
    ours: measured(ours, 'cpuMs'),
    peers: withCpu.map((peer) => ({ name: peer.name!, figures: measured(peer, 'cpuMs') })),
  });
}

// local*16 and one ssh target, with the environment as it is and, when it sets one, without NODE_EXTRA_CA_CERTS.
const environments: { suffix: string; env: NodeJS.ProcessEnv }[] = [{ suffix: '', env: process.env }];
if (process.env['NODE_EXTRA_CA_CERTS'] === undefined) console.log('the NODE_EXTRA_CA_CERTS-unset rows are skipped: this environment does not set it');
else {
  const env = { ...process.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  environments.push({ suffix: ', NODE_EXTRA_CA_CERTS unset', env });
}
for (const { suffix, env } of environments) {
  const ours = x(['run', '--on', 'local*16', '--json', trivial], { env });
  const exec = side('x exec of node -e', () => measure(process.execPath, [xBin, 'exec', '--on', 'local*16', '--json', '--', process.execPath, '-e', 'console.log(42)'], { env }));
  await compareBatches({ name: `x run --on local*16 of a trivial function${suffix} (whole command, wall time)`, ours, peers: [bareNodes(16, env), exec], rounds, warmup });
  if (timeBin) console.log(`  peak RSS (largest process of a run, median): x run ${median(measured(ours, 'peakKiB'))} KiB, x exec of node -e ${median(measured(exec, 'peakKiB'))} KiB`);
}

// Over ssh: 16 targets behind one loopback sshd (root, sshd and sudo needed: the fixture's reason is
// printed where they are missing).
const sshTargets = 16;
const unavailable = sshdUnavailableReason();
if (unavailable !== undefined) {
  console.log(`skipped: x on ${sshTargets} ssh targets and on one against parallel-ssh and ssh: ${unavailable}`);
} else {
  // sshd's default MaxStartups (10:30:100) drops some of 16 logins that arrive at once; raised so none is
  // dropped, for x and the peers alike (the fixture's own value, stated here because the case needs it).
  const sshd = await startSshd({ config: ['MaxStartups 200:30:400'] });
  const cwd = mkdtempSync(join(tmpdir(), 'x-bench-ssh-'));
  try {
    const clientArgs = ['-i', sshd.clientKey, '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes'];
    writeFileSync(
      join(cwd, 'x.inventory.json'),
      JSON.stringify({
        hosts: { loop: { hostname: sshd.host, port: sshd.port, user: 'root', identityFile: sshd.clientKey, nodePath: process.execPath, sshArgs: ['-o', `UserKnownHostsFile=${sshd.knownHosts}`] } },
        groups: { fleet: Array.from({ length: sshTargets }, () => 'loop') },
      }),
    );
    const host = `root@${sshd.host}:${sshd.port}`;
    const sshTrue = ['ssh', [...clientArgs, '-p', String(sshd.port), `root@${sshd.host}`, 'true']] as const;
    const psshPath = ['/usr/bin/parallel-ssh', '/usr/bin/pssh'].find((path) => existsSync(path));
    const fleetPeers = (): Side[] => [
      ...(psshPath === undefined
        ? []
        : [side('parallel-ssh', () => measure(psshPath, [...Array.from({ length: sshTargets }, () => ['-H', host]).flat(), '-p', '32', '-x', clientArgs.join(' '), 'true'], { cwd }))]),
      // A bare `wait` ends 0 whatever its children did: each ssh is waited for by its pid, so a failed login fails the run.
      side('bash loop of ssh &', () => measure('bash', ['-c', `pids=; for i in $(seq ${sshTargets}); do ${sshTrue[0]} ${sshTrue[1].join(' ')} & pids="$pids $!"; done; for p in $pids; do wait $p || exit 1; done`], { cwd })),
    ];
    if (psshPath === undefined) console.log('skipped: the parallel-ssh peer (Debian package pssh is not installed)');
    // The peers wait for ssh however long a login takes; x is given the same patience (its --timeout is
    // also the connect timeout, 30 s by default). Every peer here logs in afresh each time, so x does too:
    // its shared logins (--ssh-persist, on by default) would skip the logins of every round after the first.
    const patience = ['--timeout', '600000', '--ssh-persist', '0'];
    await wallAndCpu(`x exec --on ${sshTargets} ssh targets on loopback -- true`, x(['exec', '--on', '@fleet', '--json', ...patience, '--', 'true'], { cwd }), fleetPeers());
    await wallAndCpu(`x run --on ${sshTargets} ssh targets on loopback of a trivial function`, x(['run', '--on', '@fleet', '--json', ...patience, trivial], { cwd }), fleetPeers());
    for (const { suffix, env } of environments) {
      const sshHostTrue = side('ssh host true', () => measure(sshTrue[0], [...sshTrue[1]], { cwd, env }));
      await wallAndCpu(`x run on one ssh target of a trivial function${suffix}`, x(['run', '--on', 'loop', '--json', ...patience, trivial], { cwd, env }), [sshHostTrue], false);
    }
  } finally {
    await sshd.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}
