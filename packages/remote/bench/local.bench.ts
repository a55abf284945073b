// @x/remote with local contexts, side by side in one run: the call round trip against the floor (a bare
// echo of the same bytes between two Node processes over a socketpair), a worker_threads postMessage
// round trip and a fresh `node -e` per call; connect + first call; a 64 MiB Buffer round trip; 1,000
// concurrent calls on one context; RSS per idle context. mitogen runs the same cases: Debian's 0.3.3 and
// the newest (MITOGEN_SRC, see mitogen.ts), each case judged against the faster of the two.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type BatchSide, compareBatches, timed } from '@x/bench';
import { type Context, Router } from '../src/index.js';
import { type Mitogen, fasterMitogen, findMitogens, python } from './mitogen.js';

const tasks = new URL('./local-tasks.ts', import.meta.url);
const mitogens = findMitogens('local benchmarks');
console.log('The machine may be shared: compare the ratios within this run, not figures across runs.');

// Contexts and helper processes must not load tsx, which `pnpm bench` runs this file under.
process.execArgv.length = 0;

/** One figure from bench/mitogen_local.py (see its header for the modes) under the mitogen given. */
const mitogen = (mode: string, n: number) => (withMitogen: Mitogen): number => {
  const script = fileURLToPath(new URL('./mitogen_local.py', import.meta.url));
  const run = spawnSync(python, [script, mode, String(n)], { encoding: 'utf8', env: withMitogen.env });
  if (run.status !== 0) throw new Error(`mitogen_local.py ${mode} (mitogen ${withMitogen.version}) failed: ${run.stderr}`);
  return (JSON.parse(run.stdout.trim().split('\n').pop()!) as { figure: number }).figure;
};
const mitogenPeer = (name: string, run: (withMitogen: Mitogen) => number): BatchSide[] => fasterMitogen(mitogens, name, run);

/** Bytes a process has read and written through syscalls so far (/proc/<pid>/io rchar, wchar). */
function io(pid: number): { read: number; written: number } {
  const text = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string): number => Number(/^(\w+): (\d+)$/m.exec(text.slice(text.indexOf(`${name}:`)))![2]);
  return { read: field('rchar'), written: field('wchar') };
}

function rssOf(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (kib === null) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kib[1]) * 1024;
}

/**
 * The floor: a second Node process on the other end of a socketpair (fd 3), which answers every
 * `request` bytes it reads with `reply` bytes, as a context answers a call's frame with a reply frame.
 */
class SocketpairEcho {
  readonly #child;
  readonly #socket;
  #want = 0;
  #got = 0;
  #done: (() => void) | undefined;

  constructor(request: number, reply: number) {
    const script = `const s=new (require('net').Socket)({fd:3,readable:true,writable:true});const r=Buffer.alloc(${reply});let n=0;s.on('data',(c)=>{n+=c.length;while(n>=${request}){n-=${request};s.write(r);}});`;
    this.#child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'pipe'] });
    this.#socket = this.#child.stdio[3] as unknown as import('node:net').Socket;
    this.#socket.on('data', (chunk: Buffer) => {
      this.#got += chunk.length;
      if (this.#got >= this.#want) this.#done?.();
    });
    this.request = Buffer.alloc(request);
    this.replyBytes = reply;
  }

  readonly request: Buffer;
  readonly replyBytes: number;

  /** One round trip: writes the request, waits for the whole reply. */
  trip(): Promise<void> {
    return new Promise((resolve) => {
      this.#got = 0;
      this.#want = this.replyBytes;
      this.#done = resolve;
      this.#socket.write(this.request);
    });
  }

  close(): void {
    this.#child.kill();
    this.#socket.destroy();
  }
}

/** A worker thread that posts back whatever it is sent. */
function echoWorker(): { trip: (value: unknown) => Promise<unknown>; worker: Worker } {
  const worker = new Worker("require('worker_threads').parentPort.on('message', (m) => require('worker_threads').parentPort.postMessage(m));", { eval: true });
  const waiting: ((value: unknown) => void)[] = [];
  worker.on('message', (value) => waiting.shift()!(value));
  return { worker, trip: (value) => new Promise((resolve) => (waiting.push(resolve), worker.postMessage(value))) };
}

/** A fresh `node -e` that prints its argument, as a call that starts a process each time would. */
function nodeE(arg: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', 'process.stdout.write(process.argv[1])', arg], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.resume();
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`node -e exited ${code}`))));
  });
}

const router = new Router({ logPrinter: false, maxMessageSize: 256 << 20 });

/**
 * X_BENCH_BASELINE=<another checkout, built>: its @x/remote runs beside this one in the round trip and
 * connect cases, so a change is judged against the code before it in the same run, on the same load.
 */
const baselineDir = process.env['X_BENCH_BASELINE'];
const baseline = baselineDir === undefined ? undefined : await (async () => {
  const { Router: BaselineRouter } = (await import(pathToFileURL(`${baselineDir}/packages/remote/dist/index.js`).href)) as { Router: typeof Router };
  const baselineRouter = new BaselineRouter({ logPrinter: false });
  return { router: baselineRouter, ctx: await baselineRouter.local({ name: 'baseline' }) };
})();
const baselinePeer = (name: string, run: (side: NonNullable<typeof baseline>) => () => Promise<number>): BatchSide[] =>
  baseline === undefined ? [] : [{ name: `@x/remote at the baseline (${baselineDir}): ${name}`, run: run(baseline) }];
const perCall = (trips: number, one: () => Promise<unknown>) => async (): Promise<number> => {
  const start = performance.now();
  for (let k = 0; k < trips; k++) await one();
  return (performance.now() - start) / trips;
};

try {
  const ctx = await router.local({ name: 'bench' });
  const message = 'x'.repeat(64);
  await ctx.call(tasks, 'echo', message);
  // Measure the bytes one call moves, so the floor echoes exactly as many.
  const before = io(ctx.pid!);
  const sample = 200;
  for (let k = 0; k < sample; k++) await ctx.call(tasks, 'echo', message);
  // The baseline's call path gets as many warm-up calls as ours just had.
  if (baseline !== undefined) for (let k = 0; k <= sample; k++) await baseline.ctx.call(tasks, 'echo', message);
  const after = io(ctx.pid!);
  const request = Math.round((after.read - before.read) / sample);
  const reply = Math.round((after.written - before.written) / sample);
  console.log(`one call of echo(64-byte string) moves ${request} bytes to the context and ${reply} back`);
  // Warm: the case is the round trip after 8,000 calls, once V8 has optimized the call path.
  for (let k = 0; k < 8000; k++) await ctx.call(tasks, 'echo', message);
  const floor = new SocketpairEcho(request, reply);
  const worker = echoWorker();
  const trips = 500;
  await compareBatches({
    name: 'remote: call round trip to a local context (64-byte string)',
    ours: { run: perCall(trips, () => ctx.call(tasks, 'echo', message)) },
    peers: [
      { name: 'bare echo of the same bytes over a socketpair between two Node processes', run: perCall(trips, () => floor.trip()) },
      { name: 'worker_threads postMessage round trip', run: perCall(trips, () => worker.trip(message)) },
      { name: 'a fresh `node -e` per call', run: perCall(5, () => nodeE(message)) },
      ...mitogenPeer('call(do_nothing) on local()', mitogen('roundtrip', 2000)),
      ...baselinePeer('the same call', (side) => perCall(trips, () => side.ctx.call(tasks, 'echo', message))),
    ],
    rounds: 7,
  });
  floor.close();

  // Cold: calls 200 to 2,200 on a fresh context, where the JIT warm-up of the context's call path shows
  // (the floor starts a fresh process each round too).
  const afterWarmUp = (trip: () => Promise<unknown>) => async (): Promise<number> => {
    for (let k = 0; k < 200; k++) await trip();
    return perCall(2000, trip)();
  };
  await compareBatches({
    name: 'remote: call round trip to a fresh local context (calls 200 to 2,200)',
    ours: { run: async () => {
      const fresh = await router.local({ name: 'cold' });
      const figure = await afterWarmUp(() => fresh.call(tasks, 'echo', message))();
      await fresh.shutdown();
      return figure;
    } },
    peers: [{ name: 'bare echo of the same bytes over a socketpair, a fresh process each round', run: async () => {
      const echo = new SocketpairEcho(request, reply);
      const figure = await afterWarmUp(() => echo.trip())();
      echo.close();
      return figure;
    } }],
    rounds: 5,
  });

  const connectFirst = (on: Router) => async (): Promise<number> => {
    const start = performance.now();
    const fresh = await on.local({ name: 'connect' });
    await fresh.call(tasks, 'doNothing');
    const took = performance.now() - start;
    await fresh.shutdown();
    return took;
  };
  await compareBatches({
    name: 'remote: connect + first call, local context',
    ours: { run: connectFirst(router) },
    peers: [
      ...baselinePeer('connect + first call', (side) => connectFirst(side.router)),
      { name: 'node -e of the same call (start, print, exit)', run: timed(() => nodeE(message)) },
      ...mitogenPeer('local() + call', mitogen('connect', 0)),
    ],
    rounds: 7,
  });

  const big = Buffer.alloc(64 << 20, 7);
  const bigFloor = new SocketpairEcho(big.length, big.length);
  const mib = (ms: number): string => ` (${(64 / (ms / 1000)).toFixed(0)} MiB/s of argument)`;
  await compareBatches({
    name: 'remote: 64 MiB Buffer argument round trip (echo)',
    ours: { run: timed(async () => {
      const back = await ctx.call<Buffer>(tasks, 'echo', big);
      if (back.length !== big.length) throw new Error(`echo returned ${back.length} bytes`);
    }) },
    peers: [
      { name: 'bare echo of 64 MiB over a socketpair between two Node processes', run: timed(() => bigFloor.trip()) },
      { name: 'worker_threads postMessage round trip (copied)', run: timed(() => worker.trip(big)) },
      ...baselinePeer('the same echo', (side) => timed(() => side.ctx.call(tasks, 'echo', big))),
    ],
    rounds: 5,
    describe: mib,
  });
  bigFloor.close();
  if (mitogens.length > 0) {
    // One round only: mitogen 0.3.3 takes tens of seconds per 64 MiB round trip on a loaded machine.
    await compareBatches({
      name: 'remote: 64 MiB argument round trip vs mitogen (one round)',
      ours: { run: timed(() => ctx.call(tasks, 'echo', big)) },
      peers: mitogenPeer('call(echo, 64 MiB bytes)', mitogen('large', 1)),
      rounds: 1,
      warmup: 0,
      describe: mib,
    });
  }

  await compareBatches({
    name: 'remote: 1,000 concurrent calls on one context',
    ours: { run: timed(() => Promise.all(Array.from({ length: 1000 }, () => ctx.call(tasks, 'doNothing')))) },
    peers: [
      { name: 'worker_threads: 1,000 postMessage round trips in flight', run: timed(() => Promise.all(Array.from({ length: 1000 }, () => worker.trip(1)))) },
      ...mitogenPeer('1,000 call_async(do_nothing)', mitogen('concurrent', 1000)),
      ...baselinePeer('the same 1,000 calls', (side) => timed(() => Promise.all(Array.from({ length: 1000 }, () => side.ctx.call(tasks, 'doNothing'))))),
    ],
    rounds: 5,
  });
  await worker.worker.terminate();

  const idleRss = async (): Promise<number> => {
    const contexts: Context[] = await Promise.all([0, 1, 2, 3].map((k) => router.local({ name: `idle-${k}` })));
    await Promise.all(contexts.map((c) => c.call(tasks, 'doNothing')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const total = contexts.reduce((sum, c) => sum + rssOf(c.pid!), 0);
    await Promise.all(contexts.map((c) => c.shutdown()));
    return total / contexts.length;
  };
  // The bare process runs with the flags a context's command line carries (--experimental-vm-modules).
  const probe = await router.local({ name: 'flags' });
  const contextFlags = await probe.call<string[]>(tasks, 'nodeFlags');
  await probe.shutdown();
  const bareNodeRss = async (): Promise<number> => {
    const child = spawn(process.execPath, [...contextFlags, '-e', 'setInterval(() => {}, 1e6); process.stdout.write("up")'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rss = rssOf(child.pid!);
    child.kill();
    await new Promise((resolve) => child.once('exit', resolve));
    return rss;
  };
  await compareBatches({
    name: 'remote: RSS per idle local context (after one call)',
    unit: 'bytes',
    ours: { run: idleRss },
    peers: [{ name: 'a bare idle node process (node -e waiting, the flags of a context)', run: bareNodeRss }, ...mitogenPeer('idle local() context', mitogen('rss', 0))],
    rounds: 3,
    describe: (bytes) => ` (${(bytes / 2 ** 20).toFixed(1)} MiB)`,
  });
} finally {
  await router.close();
  await baseline?.router.close();
}
