// Batch-timed comparisons: each side moves the same bytes once per batch, through @x/bench's
// compareBatches (compare() would repeat a GiB batch dozens of times), with the throughput printed.
import { compareBatches, timed } from '@x/bench';

export interface Side {
  name: string;
  run: () => Promise<void>;
}

/** Times every side `rounds` times, alternating, and records ours against each peer. */
export async function alternate(title: string, bytes: number, ours: Side, peers: Side[], rounds = 3): Promise<void> {
  await compareBatches({
    name: `${title}, ${ours.name}`,
    ours: { run: timed(ours.run) },
    peers: peers.map((peer) => ({ name: peer.name, run: timed(peer.run) })),
    rounds,
    describe: (ms) => ` (${(bytes / ms / 1e6).toFixed(2)} GB/s)`,
  });
}
