// Setting and cancelling a timeout around an operation that finishes in time. The figure is per operation.
// x: withTimeout(1000, op); async/await: setTimeout + clearTimeout around the awaited work;
// Effection: race([sleep(1000), op]). x and async/await run 1M per batch; Effection 10k (100k takes ~35 s).
import * as coro from '../src/index.js';
import * as effection from 'effection';
import { perOp, versus } from './support.js';

const N = 1_000_000;
const EFFECTION_N = 10_000;

function* work(k: number): coro.Operation<number> {
  return k;
}

function* timeboxed(count: number): coro.Operation<void> {
  for (let k = 0; k < count; k++) yield* coro.withTimeout(1_000, work(k));
}

async function asyncWork(k: number): Promise<number> {
  return k;
}

async function asyncTimeboxed(count: number): Promise<void> {
  const expire = () => {
    throw new Error('timed out');
  };
  for (let k = 0; k < count; k++) {
    const timer = setTimeout(expire, 1_000);
    try {
      await asyncWork(k);
    } finally {
      clearTimeout(timer);
    }
  }
}

function* effectionWork(k: number): effection.Operation<number> {
  return k;
}

await versus(
  'timeout set + cancel (per operation)',
  'ms',
  { name: 'x', batch: () => perOp(N, () => coro.toPromise(timeboxed(N))) },
  [
    { name: 'async/await', batch: () => perOp(N, () => asyncTimeboxed(N)) },
    {
      name: 'effection',
      batch: () =>
        perOp(EFFECTION_N, () =>
          effection.run(function* () {
            for (let k = 0; k < EFFECTION_N; k++) {
              yield* effection.race([effection.sleep(1_000) as effection.Operation<unknown>, effectionWork(k)]);
            }
          }),
        ),
    },
  ],
  5,
);
