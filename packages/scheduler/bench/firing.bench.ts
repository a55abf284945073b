// 200,000 tasks due within 100 ms: CPU time (user + system) to schedule them and run them all. Wall time
// would measure the 100 ms wait, not the work.
import { Scheduler } from '../src/index.js';
import { SimpleIntervalJob, Task as ToadTask, ToadScheduler } from 'toad-scheduler';
import { compareBatches, cpuMs } from '@x/bench';

const COUNT = 200_000;
const delay = (k: number) => (k * 7919) % 101;

function batch(schedule: (done: () => void) => void): () => Promise<number> {
  return () =>
    new Promise<number>((resolve) => {
      const start = cpuMs();
      let left = COUNT;
      schedule(() => {
        if (--left === 0) resolve(cpuMs() - start);
      });
    });
}

// One long-lived scheduler, as a server keeps one; setTimeout's lists are process-wide too.
const scheduler = new Scheduler();
const ours = {
  name: 'x',
  run: batch((done) => {
    for (let k = 0; k < COUNT; k++) scheduler.defer(delay(k), done);
  }),
};

await compareBatches({
  name: '200,000 tasks due within 100 ms, scheduled and fired (CPU time)',
  unit: 'ms',
  ours,
  peers: [{
    name: 'setTimeout',
    run: batch((done) => {
      for (let k = 0; k < COUNT; k++) setTimeout(done, delay(k));
    }),
  }],
  rounds: 9,
  warmup: 0,
});

// toad-scheduler's equivalent of a one-shot: an interval job that stops itself on its first run.
await compareBatches({
  name: '200,000 tasks due within 100 ms, scheduled and fired (CPU time)',
  unit: 'ms',
  ours,
  peers: [{
    name: 'toad-scheduler',
    run: batch((done) => {
      const toad = new ToadScheduler();
      for (let k = 0; k < COUNT; k++) {
        const job: SimpleIntervalJob = new SimpleIntervalJob(
          { milliseconds: Math.max(1, delay(k)) },
          new ToadTask('t', () => {
            job.stop();
            done();
          }),
        );
        toad.addSimpleIntervalJob(job);
      }
    }),
  }],
  rounds: 5,
  warmup: 0,
});
scheduler.close();
