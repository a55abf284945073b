// Heap per pending task: 1,000,000 tasks scheduled 1-2 s ahead, measured after full collections.
import { Scheduler, type Task } from '../src/index.js';
import { SimpleIntervalJob, Task as ToadTask, ToadScheduler } from 'toad-scheduler';
import { compareBatches, heapBytes } from '@x/bench';
import { spreadDelay } from './support.js';

const COUNT = 1_000_000;
const noop = () => {};
// Handles are kept in an array allocated before the first measurement, so its slots are not counted.
const kept: unknown[] = Array.from({ length: COUNT }, () => undefined);

function perTask(schedule: () => () => void): number {
  const before = heapBytes();
  const release = schedule();
  const after = heapBytes();
  release();
  kept.fill(undefined);
  return (after - before) / COUNT;
}

const oursDropped = {
  name: 'x',
  run: () =>
    perTask(() => {
      const scheduler = new Scheduler({ keepAlive: false });
      for (let k = 0; k < COUNT; k++) scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
      return () => scheduler.close();
    }),
};

const oursKept = {
  name: 'x',
  run: () =>
    perTask(() => {
      const scheduler = new Scheduler({ keepAlive: false });
      for (let k = 0; k < COUNT; k++) kept[k] = scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
      return () => scheduler.close();
    }),
};

const setTimeoutSide = {
  name: 'setTimeout',
  run: () =>
    perTask(() => {
      for (let k = 0; k < COUNT; k++) kept[k] = setTimeout(noop, spreadDelay(k, 1_000, 1_000)).unref();
      return () => {
        for (let k = 0; k < COUNT; k++) clearTimeout(kept[k] as NodeJS.Timeout);
      };
    }),
};

const toadSide = {
  name: 'toad-scheduler',
  run: () =>
    perTask(() => {
      const toad = new ToadScheduler({ unref: true });
      for (let k = 0; k < COUNT; k++) {
        toad.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: spreadDelay(k, 1_000, 1_000) }, new ToadTask('t', noop)));
      }
      return () => toad.stop();
    }),
};

await compareBatches({ name: '1,000,000 pending tasks: heap per task', unit: 'bytes', ours: oursDropped, peers: [setTimeoutSide], rounds: 3, warmup: 0 });
await compareBatches({
  name: '1,000,000 pending tasks, caller keeps every Task handle: heap per task',
  unit: 'bytes',
  ours: oursKept,
  peers: [setTimeoutSide],
  rounds: 3,
  warmup: 0,
});
await compareBatches({ name: '1,000,000 pending tasks: heap per task', unit: 'bytes', ours: oursDropped, peers: [toadSide], rounds: 3, warmup: 0 });
export type { Task };
