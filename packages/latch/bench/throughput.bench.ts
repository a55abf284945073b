// One-way throughput: the main thread sends 1,000,000 small messages to a worker, which counts them;
// one iteration is the whole batch, from the first send to the worker's count coming back.
import { compare } from '@x/bench';
import { Latch } from '@x/latch';
import { portCaller, startWorker } from './workers.js';

const COUNT = 1_000_000;

const messages = new Latch<{ seq: number } | null>({ capacity: 1 << 20 });
const done = new Latch<number>();
const latchWorker = startWorker('latch-count', { messages: messages.handle, done: done.handle });
const portWorker = startWorker('port-count');
const callPort = portCaller(portWorker);

function check(count: unknown): void {
  if (count !== COUNT) throw new Error(`the worker counted ${String(count)} messages, not ${COUNT}`);
}

await compare({
  name: 'latch: one-way throughput, 1,000,000 small objects main -> worker (time per batch)',
  rounds: 3,
  timeMs: 1,
  warmupMs: 1,
  ours: {
    fn: () => {
      for (let seq = 0; seq < COUNT; seq++) messages.put({ seq });
      messages.put(null);
      check(done.get());
    },
  },
  peer: {
    name: 'MessagePort',
    label: 'postMessage',
    fn: async () => {
      const counted = portWorker.worker.postMessage.bind(portWorker.worker);
      for (let seq = 0; seq < COUNT; seq++) counted({ seq });
      check(await callPort(null));
    },
  },
});

messages.close();
await portWorker.worker.terminate();
await latchWorker.exited;
