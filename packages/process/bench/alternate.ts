// Operations too slow for tinybench's 64-iteration minimum (a whole batch of 500 processes, a Node
// start) go through @x/bench's compareBatches: one call of every side per round, alternating.
import { compareBatches, timed } from '@x/bench';

interface Side {
  name: string;
  fn: () => Promise<unknown>;
}

export async function alternate(
  name: string,
  ours: () => Promise<unknown>,
  peers: Side[],
  { rounds = 5, perRound = 1, warmup = 1 }: { rounds?: number; perRound?: number; warmup?: number } = {},
): Promise<void> {
  await compareBatches({
    name,
    ours: { run: timed(ours) },
    peers: peers.map((peer) => ({ name: peer.name, run: timed(peer.fn) })),
    rounds: rounds * perRound,
    warmup,
  });
}
