// Alternating rounds for operations too slow for tinybench's 64-iteration minimum (a whole batch of
// 500 processes, a Node start): each round times `perRound` calls of every side, in an order that
// rotates, and a side's figure is the median of all its calls. Records go where @x/bench's compare
// writes them, in its format, one per peer, so bench/RESULTS.md lists them with the others.
import { appendFileSync } from 'node:fs';
import { formatDuration } from '@x/bench';

interface Side {
  name: string;
  fn: () => Promise<unknown>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export async function alternate(
  name: string,
  ours: () => Promise<unknown>,
  peers: Side[],
  { rounds = 5, perRound = 1, warmup = 1 }: { rounds?: number; perRound?: number; warmup?: number } = {},
): Promise<void> {
  const sides: Side[] = [{ name: 'x', fn: ours }, ...peers];
  for (const side of sides) for (let i = 0; i < warmup; i++) await side.fn();
  const samples = new Map<string, number[]>(sides.map((side) => [side.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
    for (const side of order) {
      for (let i = 0; i < perRound; i++) {
        const start = performance.now();
        await side.fn();
        samples.get(side.name)!.push(performance.now() - start);
      }
    }
  }
  const oursMs = median(samples.get('x')!);
  for (const peer of peers) {
    const peerMs = median(samples.get(peer.name)!);
    const record = { case: name, ours: oursMs, peer: peerMs, peerName: peer.name, ratio: peerMs / oursMs };
    console.log(`${name}: x ${formatDuration(oursMs)}, ${peer.name} ${formatDuration(peerMs)}, ratio ${record.ratio.toFixed(2)} (above 1: x is faster)`);
    if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);
  }
}
