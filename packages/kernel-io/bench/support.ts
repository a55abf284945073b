// Batch-timed comparisons: each side moves the same bytes once per batch; sides alternate batch by
// batch (after one warm-up each) and medians are recorded as @x/bench's compare() records them.
// compare() would repeat a GiB batch dozens of times; a few batches give a stable median here.
import { appendFileSync } from 'node:fs';
import { formatDuration } from '@x/bench';

export interface Side {
  name: string;
  run: () => Promise<void>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Times every side `rounds` times, alternating, and records ours against each peer. */
export async function alternate(title: string, bytes: number, ours: Side, peers: Side[], rounds = 3): Promise<void> {
  const sides = [ours, ...peers];
  for (const side of sides) await side.run();
  const times = new Map<Side, number[]>(sides.map((side) => [side, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 ? [...sides].reverse() : sides;
    for (const side of order) {
      const start = performance.now();
      await side.run();
      times.get(side)!.push(performance.now() - start);
    }
  }
  const gbps = (ms: number) => `${(bytes / ms / 1e6).toFixed(2)} GB/s`;
  const oursMs = median(times.get(ours)!);
  for (const peer of peers) {
    const peerMs = median(times.get(peer)!);
    const record = { case: `${title} (${ours.name} vs ${peer.name})`, ours: oursMs, peer: peerMs, peerName: peer.name, ratio: peerMs / oursMs };
    console.log(
      `${record.case}: x ${formatDuration(oursMs)} (${gbps(oursMs)}), ${peer.name} ${formatDuration(peerMs)} (${gbps(peerMs)}), ` +
        `ratio ${record.ratio.toFixed(2)} (above 1: x is faster)`,
    );
    if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);
  }
}
