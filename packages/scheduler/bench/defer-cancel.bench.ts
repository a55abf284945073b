// 1,000,000 tasks scheduled 1-2 s ahead (1,000 distinct delays, as timeouts with jitter), then all cancelled.
import { compare } from '@x/bench';
import { Scheduler, type Task } from '../src/index.js';
import { SimpleIntervalJob, Task as ToadTask, ToadScheduler } from 'toad-scheduler';
import { spreadDelay } from './support.js';

const COUNT = 1_000_000;
const noop = () => {};
const tasks: Task[] = new Array(COUNT);
const timeouts: NodeJS.Timeout[] = new Array(COUNT);
const scheduler = new Scheduler({ keepAlive: false });

const ours = {
  name: 'defer + cancel',
  fn: () => {
    for (let k = 0; k < COUNT; k++) tasks[k] = scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
    for (let k = 0; k < COUNT; k++) tasks[k]!.cancel();
  },
};

await compare({
  name: '1,000,000 defer + cancel',
  ours,
  peer: {
    name: 'setTimeout',
    label: 'setTimeout + clearTimeout',
    fn: () => {
      for (let k = 0; k < COUNT; k++) timeouts[k] = setTimeout(noop, spreadDelay(k, 1_000, 1_000));
      for (let k = 0; k < COUNT; k++) clearTimeout(timeouts[k]);
    },
  },
  rounds: 6,
  timeMs: 400,
  warmupMs: 200,
});

// toad-scheduler has no one-shot task: its equivalent is an interval job added, then removed by id. Its
// cost grows faster than linearly (a registry object keyed by id, an engine list that never shrinks), so
// this case uses 100,000 tasks on both sides and a fresh ToadScheduler per batch.
const TOAD_COUNT = 100_000;
const ids = Array.from({ length: TOAD_COUNT }, (_, k) => `job-${k}`);
await compare({
  name: '100,000 defer + cancel',
  ours: {
    name: 'defer + cancel',
    fn: () => {
      for (let k = 0; k < TOAD_COUNT; k++) tasks[k] = scheduler.defer(spreadDelay(k, 1_000, 1_000), noop);
      for (let k = 0; k < TOAD_COUNT; k++) tasks[k]!.cancel();
    },
  },
  peer: {
    name: 'toad-scheduler',
    label: 'addSimpleIntervalJob + removeById',
    fn: () => {
      const toad = new ToadScheduler();
      for (let k = 0; k < TOAD_COUNT; k++) {
        const id = ids[k]!;
        toad.addSimpleIntervalJob(new SimpleIntervalJob({ milliseconds: spreadDelay(k, 1_000, 1_000) }, new ToadTask(id, noop), { id }));
      }
      for (let k = 0; k < TOAD_COUNT; k++) toad.removeById(ids[k]!);
    },
  },
  rounds: 4,
  timeMs: 300,
  warmupMs: 100,
});
scheduler.close();
