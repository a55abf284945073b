// One-way throughput: the main thread sends 1,000,000 small messages to a worker, which counts them.
// One figure is a whole batch, from the first send to the worker's count coming back; ours and
// MessagePort alternate batch by batch (after one warm-up batch each) and the medians are recorded in the
// same form as @x/bench's compare(), which would run each 1,000,000-message batch dozens of times.
import { appendFileSync } from 'node:fs';
import { formatDuration } from '@x/bench';
import { Latch } from '@x/latch';
import { portCaller, startWorker } from './workers.js';

const COUNT = 1_000_000;
const ROUNDS = 5;

const messages = new Latch<{ seq: number } | null>({ capacity: 1 << 20 });
const done = new Latch<number>();
const latchWorker = startWorker('latch-count', { messages: messages.handle, done: done.handle });
const portWorker = startWorker('port-count');
const callPort = portCaller(portWorker);

function check(count: unknown): void {
  if (count !== COUNT) throw new Error(`the worker counted ${String(count)} messages, not ${COUNT}`);
}

async function oursBatch(): Promise<void> {
  for (let seq = 0; seq < COUNT; seq++) messages.put({ seq });
  messages.put(null);
  check(await done.getAsync());
}

async function peerBatch(): Promise<void> {
  const post = portWorker.worker.postMessage.bind(portWorker.worker);
  for (let seq = 0; seq < COUNT; seq++) post({ seq });
  check(await callPort(null));
}

async function timed(batch: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await batch();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

await oursBatch();
await peerBatch();
const ours: number[] = [];
const peer: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2) peer.push(await timed(peerBatch));
  ours.push(await timed(oursBatch));
  if (!(round % 2)) peer.push(await timed(peerBatch));
}
const name = 'latch: one-way throughput, 1,000,000 small objects main -> worker (time per batch)';
const record = { case: name, ours: median(ours), peer: median(peer), peerName: 'MessagePort', ratio: median(peer) / median(ours) };
console.log(
  `${name}: x ${formatDuration(record.ours)}, MessagePort ${formatDuration(record.peer)}, ` +
    `ratio ${record.ratio.toFixed(2)} (above 1: x is faster)`,
);
if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);

messages.close();
await portWorker.worker.terminate();
await latchWorker.exited;
