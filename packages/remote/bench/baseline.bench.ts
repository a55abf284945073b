// This checkout's @x/remote against another checkout's build (X_BENCH_BASELINE=<dir>, built with
// `pnpm build`), alternating in one process so both see the same load: the warm and cold call round
// trip and connect + first call. Without X_BENCH_BASELINE it prints why it skipped.
import { pathToFileURL } from 'node:url';
import { compareBatches } from '@x/bench';
import { Router } from '../src/index.js';

const baselineDir = process.env['X_BENCH_BASELINE'];
if (baselineDir === undefined) {
  console.log('baseline benchmarks skipped: set X_BENCH_BASELINE to another checkout with @x/remote built (packages/remote/dist)');
} else {
  // Contexts must not load tsx, which `pnpm bench` runs this file under.
  process.execArgv.length = 0;
  const tasks = new URL('./local-tasks.ts', import.meta.url);
  const { Router: BaselineRouter } = (await import(pathToFileURL(`${baselineDir}/packages/remote/dist/index.js`).href)) as { Router: typeof Router };
  const ours = new Router({ logPrinter: false });
  const theirs = new BaselineRouter({ logPrinter: false });
  const label = `@x/remote at ${baselineDir}`;
  try {
    const [a, b] = await Promise.all([ours.local({ name: 'ours' }), theirs.local({ name: 'baseline' })]);
    const perCall = (ctx: typeof a, trips: number) => async (): Promise<number> => {
      const start = performance.now();
      for (let k = 0; k < trips; k++) await ctx.call(tasks, 'echo', 'x'.repeat(64));
      return ((performance.now() - start) / trips);
    };
    // Cold: calls 1-2,000 on a fresh context, per call (what a short-lived `x run` pays).
    const cold = (router: Router) => async (): Promise<number> => {
      const ctx = await router.local({ name: 'cold' });
      const took = await perCall(ctx, 2000)();
      await ctx.shutdown();
      return took;
    };
    await compareBatches({ name: 'remote vs baseline: call round trip, cold (calls 1-2,000 on a fresh context)', ours: { run: cold(ours) }, peers: [{ name: label, run: cold(theirs) }], rounds: 6 });
    for (let k = 0; k < 8000; k++) await a.call(tasks, 'echo', 'x');
    for (let k = 0; k < 8000; k++) await b.call(tasks, 'echo', 'x');
    await compareBatches({ name: 'remote vs baseline: call round trip, warm (after 8,000 calls)', ours: { run: perCall(a, 2000) }, peers: [{ name: label, run: perCall(b, 2000) }], rounds: 10 });
    const connect = (router: Router) => async (): Promise<number> => {
      const start = performance.now();
      const ctx = await router.local({ name: 'connect' });
      await ctx.call(tasks, 'doNothing');
      const took = performance.now() - start;
      await ctx.shutdown();
      return took;
    };
    await compareBatches({ name: 'remote vs baseline: connect + first call, local', ours: { run: connect(ours) }, peers: [{ name: label, run: connect(theirs) }], rounds: 15 });
  } finally {
    await ours.close();
    await theirs.close();
  }
}
