// @x/remote over ssh to a loopback sshd: connect + first call, call round trip, 100 and 1,000 calls,
// against plain ssh (`ssh host true`, a bare `cat` channel, `ssh host node -e` per call) and against
// mitogen: Debian's 0.3.3 and the newest (MITOGEN_SRC, see mitogen.ts), judged against the faster.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BatchSide, compareBatches, timed } from '@x/bench';
import { createUser, sshdUnavailableReason, startSshd } from '@x/test-env/sshd';
import { type Context, Router } from '../src/index.js';
import { type Mitogen, fasterMitogen, findMitogens, python } from './mitogen.js';

const tasks = new URL('./tasks.ts', import.meta.url);
const reason = sshdUnavailableReason();
if (reason !== undefined) {
  console.log(`remote ssh benchmarks skipped: ${reason}`);
  process.exit(0);
}
const mitogens = findMitogens('ssh benchmarks');

const sshd = await startSshd();
const account = createUser('xrbench');
const sshArgs = sshd.sshArgs(account.name);
const router = new Router({ logPrinter: false });
const connect = (): Promise<Context> =>
  router.ssh({ hostname: '127.0.0.1', port: sshd.port, username: account.name, identityFile: sshd.clientKey, checkHostKeys: 'ignore', sshArgs: ['-F', '/dev/null'], nodePath: process.execPath });

/** Runs ssh with `command` on the remote and waits for it. */
function ssh(command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs, command], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${command} exited ${code}`))));
  });
}

/** mitogen's figures from one run of bench/mitogen_ssh.py: connect + first call, mean round trip of 200 calls (as ours is timed), `calls` calls. */
function mitogen(withMitogen: Mitogen, calls: number): { connect: number; roundTrip: number; calls: number } {
  const script = fileURLToPath(new URL('./mitogen_ssh.py', import.meta.url));
  const run = spawnSync(python, [script, String(sshd.port), account.name, sshd.clientKey, String(calls)], { encoding: 'utf8', env: withMitogen.env });
  if (run.status !== 0) throw new Error(`mitogen_ssh.py (mitogen ${withMitogen.version}) failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!);
}
const mitogenPeer = (name: string, figure: (result: ReturnType<typeof mitogen>) => number, calls = 1): BatchSide[] =>
  fasterMitogen(mitogens, name, (withMitogen) => figure(mitogen(withMitogen, calls)));

try {
  await compareBatches({
    name: 'remote: connect + first call over ssh to localhost',
    ours: {
      run: async () => {
        const start = performance.now();
        const ctx = await connect();
        await ctx.call(tasks, 'echo', 1);
        const took = performance.now() - start;
        await ctx.shutdown();
        return took;
      },
    },
    peers: [{ name: 'ssh host true', run: timed(() => ssh('true')) }, ...mitogenPeer('connect', (result) => result.connect)],
    rounds: 7,
  });

  const ctx = await connect();
  const message = 'x'.repeat(64);
  const trips = 200;
  const cat: ChildProcessWithoutNullStreams = spawn('ssh', [...sshArgs, 'cat'], { stdio: 'pipe' });
  const echoOverCat = (): Promise<void> =>
    new Promise((resolve) => {
      let got = 0;
      const onData = (chunk: Buffer): void => {
        got += chunk.length;
        if (got >= message.length + 1) {
          cat.stdout.off('data', onData);
          resolve();
        }
      };
      cat.stdout.on('data', onData);
      cat.stdin.write(`${message}\n`);
    });
  await echoOverCat();
  const perTrip = (trip: () => Promise<unknown>) => async (): Promise<number> => {
    const start = performance.now();
    for (let k = 0; k < trips; k++) await trip();
    return (performance.now() - start) / trips;
  };
  const call = (): Promise<unknown> => ctx.call(tasks, 'echo', message);
  // Calls 200 to 1,600 of a fresh context: its call path is still being optimized (see local.bench.ts).
  await compareBatches({
    name: 'remote: call round trip over ssh, fresh context (calls 200 to 1,600; 64-byte string)',
    ours: { run: perTrip(call) },
    peers: [{ name: 'bare ssh channel echo (cat)', run: perTrip(echoOverCat) }, ...mitogenPeer('round trip', (result) => result.roundTrip)],
    rounds: 7,
  });
  // Warm, as the local warm case: after 8,000 calls (mitogen, an interpreter, is as fast after 200).
  for (let k = 0; k < 8000; k++) await call();
  for (let k = 0; k < 2000; k++) await echoOverCat();
  await compareBatches({
    name: 'remote: call round trip over ssh, warm (after 8,000 calls; 64-byte string)',
    ours: { run: perTrip(call) },
    peers: [{ name: 'bare ssh channel echo (cat)', run: perTrip(echoOverCat) }, ...mitogenPeer('round trip', (result) => result.roundTrip)],
    rounds: 7,
  });
  cat.stdin.end();

  await compareBatches({
    name: 'remote: connect + 100 calls over ssh',
    ours: {
      run: async () => {
        const start = performance.now();
        const fresh = await connect();
        for (let k = 0; k < 100; k++) await fresh.call(tasks, 'echo', k);
        const took = performance.now() - start;
        await fresh.shutdown();
        return took;
      },
    },
    peers: [{ name: '`ssh host node -e` per call', run: timed(async () => {
      for (let k = 0; k < 100; k++) await ssh(`${process.execPath} -e 'console.log(JSON.stringify(${k}))'`);
    }) }],
    rounds: 3,
    warmup: 0,
  });

  await compareBatches({
    name: 'remote: 1,000 calls on one ssh context',
    ours: { run: timed(async () => {
      for (let k = 0; k < 1000; k++) await ctx.call(tasks, 'echo', k);
    }) },
    peers: mitogens.length > 0 ? mitogenPeer('1,000 calls', (result) => result.calls, 1000) : [{ name: 'none (mitogen missing)', run: () => Number.NaN }],
    rounds: 5,
  });
} finally {
  await router.close();
  account.remove();
  await sshd.stop();
}
