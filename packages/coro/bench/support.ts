// Whole-batch measurements for @x/coro's benchmarks: each side runs a batch per round, alternating, in
// one process; the figure is per operation (or bytes per coroutine) and the median over rounds is kept.
import { appendFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatDuration } from '@x/bench';

setFlagsFromString('--expose-gc');
/** A full garbage collection (the flag is set at run time, so no command-line option is needed). */
export const collect = runInNewContext('gc') as () => void;

/** One side of a case: runs a batch and gives its figure (ms per operation, or bytes per coroutine). */
export interface Contender {
  name: string;
  batch: () => Promise<number>;
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}

/** Times a batch of `count` operations and gives milliseconds per operation. */
export async function perOp(count: number, batch: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await batch();
  return (performance.now() - start) / count;
}

/** Heap (JS heap plus array buffers) after full collections, in bytes. */
export function heapBytes(): number {
  collect();
  collect();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/**
 * Runs `ours` and each peer alternately for `rounds` rounds after one warm-up batch each, prints the
 * medians and appends one record per peer to $X_BENCH_OUT (ratio = peer / ours: above 1, x is better).
 */
export async function versus(name: string, unit: 'ms' | 'bytes', ours: Contender, peers: Contender[], rounds = 5): Promise<void> {
  const sides = [ours, ...peers];
  for (const side of sides) await side.batch();
  const figures = sides.map((): number[] => []);
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) figures[index]!.push(await sides[index]!.batch());
  }
  const show = (value: number) => (unit === 'bytes' ? `${value.toFixed(0)} B` : formatDuration(value));
  const oursFigure = middle(figures[0]!);
  for (let k = 1; k < sides.length; k++) {
    const peerFigure = middle(figures[k]!);
    const record = { case: name, ours: oursFigure, peer: peerFigure, peerName: sides[k]!.name, ratio: peerFigure / oursFigure, unit };
    console.log(`${name}: x ${show(oursFigure)}, ${record.peerName} ${show(peerFigure)}, ratio ${record.ratio.toFixed(2)} (above 1: x is better)`);
    if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);
  }
}
