// Heap per suspended task: N tasks each waiting on a queue, measured after full collections.
import * as coro from '../src/index.js';
import * as effection from 'effection';
import { heapBytes, versus } from './support.js';

const N = 100_000;
const EFFECTION_N = 10_000;

async function perTask(count: number, suspendAll: () => Promise<() => Promise<void>>): Promise<number> {
  const before = heapBytes();
  const release = await suspendAll();
  const after = heapBytes();
  await release();
  return (after - before) / count;
}

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

await versus(
  'heap per suspended task',
  'bytes',
  {
    name: 'x',
    batch: () =>
      perTask(N, async () => {
        const gate = new coro.Fifo<void>();
        const tasks = Array.from({ length: N }, () => coro.spawn(() => gate.pop()));
        while (gate.waiting < N) await turn();
        return async () => {
          for (let k = 0; k < N; k++) gate.push();
          tasks.length = 0;
        };
      }),
  },
  [
    {
      name: 'async/await',
      batch: () =>
        perTask(N, async () => {
          let open!: () => void;
          const gate = new Promise<void>((resolve) => (open = resolve));
          const tasks = Array.from({ length: N }, async () => {
            await gate;
          });
          return async () => {
            open();
            await Promise.all(tasks);
          };
        }),
    },
    {
      name: 'effection',
      batch: () =>
        perTask(EFFECTION_N, async () => {
          let started!: () => void;
          const ready = new Promise<void>((resolve) => (started = resolve));
          const task = effection.run(function* () {
            const waiters: effection.Task<void>[] = [];
            for (let k = 0; k < EFFECTION_N; k++) {
              waiters.push(
                yield* effection.spawn(function* () {
                  yield* effection.suspend();
                }),
              );
            }
            started();
            yield* effection.suspend();
          });
          await ready;
          await turn();
          return async () => {
            await task.halt();
          };
        }),
    },
  ],
  3,
);
