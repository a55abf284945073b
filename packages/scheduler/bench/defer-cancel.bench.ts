// 1,000,000 tasks scheduled 1-2 s ahead (1,000 distinct delays, as timeouts with jitter), then all
// cancelled; and 1,000,000 pairs cancelled at once (a request answered before its timeout). Each batch is
// timed whole: tinybench's minimum of 64 iterations per round is too many for batches this size.
import { ManualClock, Scheduler, type Task } from '../src/index.js';
import { SimpleIntervalJob, Task as ToadTask, ToadScheduler } from 'toad-scheduler';
import { compareBatches, timed } from '@x/bench';
import { spreadDelay } from './support.js';

const COUNT = 1_000_000;
const noop = () => {};
const tasks: Task[] = new Array(COUNT);
const timeouts: NodeJS.Timeout[] = new Array(COUNT);
const scheduler = new Scheduler({ keepAlive: false });

await compareBatches({
  name: '1,000,000 defer, then 1,000,000 cancel',
  unit: 'ms',
  ours: {
    name: 'x',
    run: timed(() => {
      for (let k = 0; k < COUNT; k++) tasks[k] = scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
      for (let k = 0; k < COUNT; k++) tasks[k]!.cancel();
    }),
  },
  peers: [{
    name: 'setTimeout',
    run: timed(() => {
      for (let k = 0; k < COUNT; k++) timeouts[k] = setTimeout(noop, spreadDelay(k, 1_000, 1_000));
      for (let k = 0; k < COUNT; k++) clearTimeout(timeouts[k]);
    }),
  }],
  rounds: 7,
  warmup: 0,
});

// The same, with the cancels in a later turn of the event loop: a defer's clock read is put off to the
// end of its synchronous run, when the task is placed in the wheel, so in the case above the tasks are
// never placed at all. Here they are, as when a timeout is cleared by a later event.
function timedAcrossTurns(defer: () => void, cancel: () => void): () => Promise<number> {
  return async () => {
    const start = performance.now();
    defer();
    await new Promise((resolve) => setImmediate(resolve));
    cancel();
    return performance.now() - start;
  };
}

await compareBatches({
  name: '1,000,000 defer, then 1,000,000 cancel in a later turn',
  unit: 'ms',
  ours: {
    name: 'x',
    run: timedAcrossTurns(
      () => {
        for (let k = 0; k < COUNT; k++) tasks[k] = scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
      },
      () => {
        for (let k = 0; k < COUNT; k++) tasks[k]!.cancel();
      },
    ),
  },
  peers: [{
    name: 'setTimeout',
    run: timedAcrossTurns(
      () => {
        for (let k = 0; k < COUNT; k++) timeouts[k] = setTimeout(noop, spreadDelay(k, 1_000, 1_000));
      },
      () => {
        for (let k = 0; k < COUNT; k++) clearTimeout(timeouts[k]);
      },
    ),
  }],
  rounds: 7,
  warmup: 0,
});

await compareBatches({
  name: '1,000,000 x (defer + cancel at once)',
  unit: 'ms',
  ours: {
    name: 'x',
    run: timed(() => {
      for (let k = 0; k < COUNT; k++) scheduler.defer(spreadDelay(k, 1_000, 1_000), noop).cancel();
    }),
  },
  peers: [{
    name: 'setTimeout',
    run: timed(() => {
      for (let k = 0; k < COUNT; k++) clearTimeout(setTimeout(noop, spreadDelay(k, 1_000, 1_000)));
    }),
  }],
  rounds: 7,
  warmup: 0,
});

// toad-scheduler has no one-shot task: its equivalent is an interval job added, then removed by id. Its
// cost grows faster than linearly (a registry object keyed by id, an engine list that never shrinks), so
// this case uses 100,000 tasks on both sides and a fresh ToadScheduler per batch.
const TOAD_COUNT = 100_000;
const ids = Array.from({ length: TOAD_COUNT }, (_, k) => `job-${k}`);
await compareBatches({
  name: '100,000 defer, then 100,000 cancel',
  unit: 'ms',
  ours: {
    name: 'x',
    run: timed(() => {
      for (let k = 0; k < TOAD_COUNT; k++) tasks[k] = scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
      for (let k = 0; k < TOAD_COUNT; k++) tasks[k]!.cancel();
    }),
  },
  peers: [{
    name: 'toad-scheduler',
    run: timed(() => {
      const toad = new ToadScheduler();
      for (let k = 0; k < TOAD_COUNT; k++) {
        const id = ids[k]!;
        toad.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: spreadDelay(k, 1_000, 1_000) }, new ToadTask(id, noop), { id }));
      }
      for (let k = 0; k < TOAD_COUNT; k++) toad.removeById(ids[k]!);
    }),
  }],
  rounds: 5,
  warmup: 0,
});
// Tests drive a second scheduler, on a ManualClock, in the same process. When each scheduler had its own
// Task class and read its clock through `this.clock`, the call sites both use turned polymorphic once it
// had run, and this case ran about 2x slower than "1,000,000 x (defer + cancel at once)"; now they match.
{
  const clock = new ManualClock();
  const manual = new Scheduler({ clock });
  for (let round = 0; round < 100; round++) {
    for (let k = 0; k < 1_000; k++) manual.defer(k % 100, noop).cancel();
    for (let k = 0; k < 1_000; k++) tasks[k] = manual.defer(k % 100, noop);
    manual.at(clock.now() + 10, noop);
    clock.advance(1);
    for (let k = 0; k < 1_000; k++) tasks[k]!.cancel();
    clock.advance(200);
  }
  manual.close();
}
await compareBatches({
  name: '1,000,000 x (defer + cancel at once), after a ManualClock scheduler ran',
  unit: 'ms',
  ours: {
    name: 'x',
    run: timed(() => {
      for (let k = 0; k < COUNT; k++) scheduler.defer(spreadDelay(k, 1_000, 1_000), noop).cancel();
    }),
  },
  peers: [{
    name: 'setTimeout',
    run: timed(() => {
      for (let k = 0; k < COUNT; k++) clearTimeout(setTimeout(noop, spreadDelay(k, 1_000, 1_000)));
    }),
  }],
  rounds: 7,
  warmup: 0,
});
scheduler.close();
