// 10k concurrent 50 ms sleeps: the time beyond 50 ms until all have woken and been joined (per batch).
import { setTimeout as delay } from 'node:timers/promises';
import * as coro from '../src/index.js';
import * as effection from 'effection';
import { versus } from './support.js';

const N = 10_000;
const MS = 50;

async function overhead(batch: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await batch();
  return performance.now() - start - MS;
}

function* sleepers(): coro.Operation<void> {
  const all = new Array<coro.Coro<void>>(N);
  for (let k = 0; k < N; k++) all[k] = coro.spawn(coro.sleep, MS);
  for (let k = 0; k < N; k++) yield* all[k]!.join();
}

await versus(
  `${N / 1000}k concurrent ${MS} ms sleeps (time beyond ${MS} ms)`,
  'ms',
  { name: 'x', batch: () => overhead(() => coro.toPromise(sleepers())) },
  [
    {
      name: 'async/await',
      batch: () => overhead(() => Promise.all(Array.from({ length: N }, () => delay(MS)))),
    },
    {
      name: 'effection',
      batch: () =>
        overhead(() =>
          effection.run(function* () {
            const tasks = new Array<effection.Task<void>>(N);
            for (let k = 0; k < N; k++) tasks[k] = yield* effection.spawn(() => effection.sleep(MS));
            for (let k = 0; k < N; k++) yield* tasks[k]!;
          }),
        ),
    },
  ],
  5,
);
