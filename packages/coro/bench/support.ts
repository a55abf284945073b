// Whole-batch measurements for @x/coro's benchmarks, through @x/bench's compareBatches: each side runs
// a batch per round, alternating, in one process; the figure is per operation (or bytes per coroutine).
import { compareBatches } from '@x/bench';

export { heapBytes } from '@x/bench';

/** One side of a case: runs a batch and gives its figure (ms per operation, or bytes per coroutine). */
export interface Contender {
  name: string;
  batch: () => Promise<number>;
}

/** Times a batch of `count` operations and gives milliseconds per operation. */
export async function perOp(count: number, batch: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await batch();
  return (performance.now() - start) / count;
}

/** Runs `ours` and each peer alternately for `rounds` rounds after one warm-up batch each; records the medians. */
export async function versus(name: string, unit: 'ms' | 'bytes', ours: Contender, peers: Contender[], rounds = 5): Promise<void> {
  await compareBatches({ name, unit, ours: { run: ours.batch }, peers: peers.map((peer) => ({ name: peer.name, run: peer.batch })), rounds });
}
