// Measurements that are not per-operation timings (heap per task, CPU time of a batch), recorded in the
// same form as @x/bench's compare(): ours and the peer alternately in one run, medians, ratio.
import { appendFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { formatDuration } from '@x/bench';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** JS heap plus ArrayBuffer memory after full collections, in bytes. */
export function usedMemory(): number {
  for (let k = 0; k < 3; k++) gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** CPU time (user + system) of this process, in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface Side {
  name: string;
  /** Runs one batch and returns its figure (bytes per task, or milliseconds). */
  run: () => number | Promise<number>;
}

/**
 * Runs ours and the peer alternately for `rounds` rounds and records the medians. `unit` 'ms' figures are
 * costs (ratio = peer / ours, above 1: x is better); so are 'bytes' figures.
 */
export async function compareBatches(options: { name: string; unit: 'ms' | 'bytes'; ours: Side; peer: Side; rounds?: number }) {
  const { name, unit, ours, peer, rounds = 5 } = options;
  const oursFigures: number[] = [];
  const peerFigures: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [peer, ours] : [ours, peer];
    for (const side of order) (side === ours ? oursFigures : peerFigures).push(await side.run());
  }
  const record = { case: name, ours: median(oursFigures), peer: median(peerFigures), peerName: peer.name, ratio: 0, unit };
  record.ratio = record.peer / record.ours;
  const format = (value: number) => (unit === 'bytes' ? `${value.toFixed(1)} B` : formatDuration(value));
  console.log(
    `${name}: x ${format(record.ours)}, ${peer.name} ${format(record.peer)}, ratio ${record.ratio.toFixed(2)} (above 1: x is better)`,
  );
  if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);
  return record;
}

/** Delays spread over `distinct` values from `base` ms, as per-connection timeouts with jitter are. */
export function spreadDelay(k: number, base: number, distinct: number): number {
  return base + ((k * 7919) % distinct);
}
