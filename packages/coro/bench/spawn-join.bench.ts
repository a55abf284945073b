// Spawn + join: N tasks, each suspending once, then joined in order. The figure is per task.
// Each side uses its cheapest suspension: yieldSlice() here, `await null` for async/await, sleep(0) for
// Effection (it has no yield-to-scheduler operation). Effection runs 10k per batch (100k takes ~20 s).
// Ours spawns one generator function with arguments, `spawn(child, k)`. The fourth contender spawns a
// fresh generator closure per task, `spawn(function* () {...})`, as code often does: V8 does one-time
// work on each generator closure's first call (its own `prototype`, the map of its generators), about
// 4 us per closure, several times our whole spawn + join (README, "Spawn a function with arguments").
import * as coro from '../src/index.js';
import * as effection from 'effection';
import { perOp, versus } from './support.js';

const N = 100_000;
const EFFECTION_N = 10_000;

function* child(k: number): coro.Operation<number> {
  yield* coro.yieldSlice();
  return k;
}

function* parent(count: number): coro.Operation<void> {
  const children = new Array<coro.Coro<number>>(count);
  for (let k = 0; k < count; k++) children[k] = coro.spawn(child, k);
  for (let k = 0; k < count; k++) yield* children[k]!.join();
}

function* closureParent(count: number): coro.Operation<void> {
  const children = new Array<coro.Coro<number>>(count);
  for (let k = 0; k < count; k++) {
    children[k] = coro.spawn(function* () {
      yield* coro.yieldSlice();
      return k;
    });
  }
  for (let k = 0; k < count; k++) yield* children[k]!.join();
}

async function asyncChild(k: number): Promise<number> {
  await null;
  return k;
}

async function asyncParent(count: number): Promise<void> {
  const children = new Array<Promise<number>>(count);
  for (let k = 0; k < count; k++) children[k] = asyncChild(k);
  for (let k = 0; k < count; k++) await children[k];
}

function* effectionChild(k: number): effection.Operation<number> {
  yield* effection.sleep(0);
  return k;
}

coro.setLatencyNotifier(() => {}); // the parent spawns 100k in one slice on purpose; timing stays on
await versus(
  `spawn + join (${N / 1000}k, per task)`,
  'ms',
  { name: 'x', batch: () => perOp(N, () => coro.toPromise(parent(N))) },
  [
    { name: 'async/await', batch: () => perOp(N, () => asyncParent(N)) },
    {
      name: 'effection',
      batch: () =>
        perOp(EFFECTION_N, () =>
          effection.run(function* () {
            const tasks = new Array<effection.Task<number>>(EFFECTION_N);
            for (let k = 0; k < EFFECTION_N; k++) tasks[k] = yield* effection.spawn(() => effectionChild(k));
            for (let k = 0; k < EFFECTION_N; k++) yield* tasks[k]!;
          }),
        ),
    },
    { name: 'x, a fresh generator closure per task', batch: () => perOp(N, () => coro.toPromise(closureParent(N))) },
  ],
  5,
);
