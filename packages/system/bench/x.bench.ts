// The x command, whole commands timed from start to exit: `x run` of a trivial function on 16 local
// contexts against `x exec` of `node -e` computing the same on the same 16, and the peak RSS of each.
// Then over ssh: x exec on 16 ssh targets on a loopback sshd against parallel-ssh and a bash loop.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareBatches } from '@x/bench';
import { Router } from '@x/remote';
import { sshdUnavailableReason, startSshd } from '@x/test-env/sshd';

const xBin = fileURLToPath(new URL('../bin/x.js', import.meta.url));
const trivial = fileURLToPath(new URL('./trivial.ts', import.meta.url));
const targets = 'local*16';
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Peak resident set of each side's runs, in KiB (the largest process of the run: x or one of its contexts). */
const peaks: Record<string, number[]> = { run: [], exec: [] };

/** Runs `x args...` to its end and gives its wall time in milliseconds; fails on a status other than 0. */
function wallMs(side: 'run' | 'exec', args: string[], cwd?: string): Promise<number> {
  const [file, argv] = timeBin ? [timeBin, ['-f', 'peak-rss-kib %M', process.execPath, xBin, ...args]] : [process.execPath, [xBin, ...args]];
  const started = performance.now();
  const child = spawn(file, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      const peak = /peak-rss-kib (\d+)/.exec(stderr);
      if (peak) peaks[side]!.push(Number(peak[1]));
      if (code !== 0) reject(new Error(`x ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve(elapsed);
    }),
  );
}

await compareBatches({
  name: `x run --on ${targets} of a trivial function (whole command, wall time)`,
  ours: { run: () => wallMs('run', ['run', '--on', targets, '--json', `${trivial}#answer`]) },
  peers: [{ name: 'x exec of node -e', run: () => wallMs('exec', ['exec', '--on', targets, '--json', '--', process.execPath, '-e', 'console.log(42)']) }],
  rounds: 5,
  warmup: 1,
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
if (timeBin) console.log(`peak RSS (largest process of a run, median): x run ${median(peaks['run']!)} KiB, x exec of node -e ${median(peaks['exec']!)} KiB`);
else console.log('peak RSS: skipped (no /usr/bin/time here)');

// Over ssh: 16 targets on a loopback sshd (root, sshd and sudo needed: the test fixture's reason is
// printed where they are missing), x exec against parallel-ssh and a bash loop of `ssh host true &`.
const sshTargets = 16;
const unavailable =
  typeof (Router.prototype as unknown as Record<string, unknown>)['ssh'] !== 'function' ? 'this @x/remote has no router.ssh' : sshdUnavailableReason();
if (unavailable !== undefined) {
  console.log(`skipped: x exec on ${sshTargets} ssh targets against parallel-ssh and a bash loop of ssh: ${unavailable}`);
} else {
  const sshd = await startSshd();
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
    const psshPath = ['/usr/bin/parallel-ssh', '/usr/bin/pssh'].find((path) => existsSync(path));
    const peers = [
      {
        name: 'bash loop of ssh &',
        run: () => wallOf('bash', ['-c', `for i in $(seq ${sshTargets}); do ssh ${clientArgs.join(' ')} -p ${sshd.port} root@${sshd.host} true & done; wait`], cwd),
      },
    ];
    if (psshPath) {
      const hostArgs = Array.from({ length: sshTargets }, () => ['-H', host]).flat();
      peers.unshift({ name: 'parallel-ssh', run: () => wallOf(psshPath, [...hostArgs, '-p', '32', '-x', clientArgs.join(' '), 'true'], cwd) });
    } else console.log('skipped: the parallel-ssh peer (Debian package pssh is not installed)');
    await compareBatches({
      name: `x exec --on ${sshTargets} ssh targets on loopback -- true (whole command, wall time)`,
      // The peers wait for ssh however long a login takes; x is given the same patience (its --timeout is
      // also the connect timeout, 30 s by default).
      ours: { run: () => wallMs('exec', ['exec', '--on', '@fleet', '--json', '--timeout', '600000', '--', 'true'], cwd) },
      peers,
      rounds: 5,
      warmup: 1,
    });
  } finally {
    await sshd.stop();
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Runs a peer command to its end and gives its wall time in milliseconds; fails on a status other than 0. */
function wallOf(file: string, args: string[], cwd: string): Promise<number> {
  const started = performance.now();
  const child = spawn(file, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${file} exited with ${code}: ${stderr}`)))),
  );
}
