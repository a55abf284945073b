import { describe, expect, it } from 'vitest';
import { AbortError, ManualClock, MAX_DELAY_MS, Scheduler, SchedulerClosedError, Task, isSchedulerError } from '../src/index.js';

function setup(options: { resolutionMs?: number; onError?: (error: unknown, name: string) => void } = {}) {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock, ...options });
  const log: string[] = [];
  const note = (label: string) => () => void log.push(`${label}@${clock.now()}`);
  return { clock, scheduler, log, note };
}

describe('Scheduler.defer()', () => {
  it('runs a task when its delay has passed, not before', () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.defer(100, note('a'));
    clock.advance(99);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['a@100']);
  });

  it('runs tasks due in the same slot in deadline order, then in insertion order', () => {
    const { clock, scheduler, log, note } = setup({ resolutionMs: 10 });
    scheduler.defer(9, note('late'));
    scheduler.defer(2, note('early'));
    scheduler.defer(5, note('first-5'));
    scheduler.defer(5, note('second-5'));
    clock.advance(10);
    expect(log).toEqual(['early@10', 'first-5@10', 'second-5@10', 'late@10']);
  });

  it('runs a zero delay at the next wake-up, after tasks already due', () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.defer(5, () => {
      log.push('outer');
      scheduler.defer(0, note('inner'));
    });
    scheduler.defer(5, note('sibling'));
    clock.advance(5);
    expect(log).toEqual(['outer', 'sibling@5', 'inner@5']);
  });

  it('handles delays beyond 2^31-1 ms', () => {
    const { clock, scheduler, log, note } = setup();
    const delays = [2 ** 31 - 1, 2 ** 31, 2 ** 40 + 3, MAX_DELAY_MS];
    for (const ms of delays) scheduler.defer(ms, note(String(ms)));
    clock.advance(2 ** 31 - 2);
    expect(log).toEqual([]);
    clock.runAll();
    expect(log).toEqual(delays.map((ms) => `${ms}@${ms}`));
  });

  it('keeps one clock timer for many tasks, and none once nothing is pending', async () => {
    const { clock, scheduler } = setup();
    const tasks = Array.from({ length: 10_000 }, (_, k) => scheduler.defer(1 + (k % 5_000) * 97, () => {}));
    // Deferred tasks are placed, and the timer armed, in a microtask at the end of the synchronous run.
    await Promise.resolve();
    expect(clock.pendingTimers).toBe(1);
    for (const task of tasks) task.cancel();
    expect(scheduler.size).toBe(0);
    await Promise.resolve();
    expect(clock.pendingTimers).toBe(0);
    scheduler.defer(10, () => {});
    clock.runAll();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('Scheduler.defer(): one clock read per synchronous run', () => {
  class CountingClock extends ManualClock {
    reads = 0;
    override now(): number {
      this.reads++;
      return super.now();
    }
  }

  it('reads the clock once for all the defers of a run, at its end, and places them due from then', async () => {
    const clock = new CountingClock(5);
    const scheduler = new Scheduler({ clock });
    const log: string[] = [];
    const reads = clock.reads;
    for (let k = 0; k < 1_000; k++) scheduler.defer(1 + (k % 10), () => log.push(`${k}@${clock.now()}`));
    expect(clock.reads).toBe(reads);
    expect(clock.pendingTimers).toBe(0);
    await Promise.resolve();
    expect(clock.reads).toBe(reads + 1);
    expect(clock.pendingTimers).toBe(1);
    expect(scheduler.nextDeadline).toBe(6);
    clock.advance(10);
    expect(log).toHaveLength(1_000);
    // Deadline order, then insertion order within a deadline.
    const expected = Array.from({ length: 1_000 }, (_, k) => k).sort((a, b) => (a % 10) - (b % 10) || a - b);
    expect(log).toEqual(expected.map((k) => `${k}@${6 + (k % 10)}`));
  });

  it('places them before a ManualClock moves, so a synchronous advance sees them', () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.defer(3, note('a'));
    const cancelled = scheduler.defer(3, note('cancelled'));
    scheduler.at(3, note('b'));
    scheduler.defer(3, note('c'));
    expect(cancelled.cancel()).toBe(true);
    expect(cancelled.cancel()).toBe(false);
    clock.advance(2);
    scheduler.defer(1, note('d'));
    clock.advance(1);
    expect(log).toEqual(['a@3', 'b@3', 'c@3', 'd@3']);
    expect(scheduler.size).toBe(0);
  });

  it('counts sleeps the same way, in insertion order with defers due at the same time', async () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.defer(4, note('defer'));
    const slept = scheduler.sleep(4).then(note('sleep'));
    scheduler.defer(4, note('after'));
    expect(scheduler.size).toBe(3);
    clock.advance(4);
    await slept;
    // The sleep's task ran between the defers; its promise reaction runs after them.
    expect(log).toEqual(['defer@4', 'after@4', 'sleep@4']);
    expect(scheduler.size).toBe(0);
  });

  it('places them when their deadline or nextDeadline is read', () => {
    const clock = new CountingClock(100);
    const scheduler = new Scheduler({ clock });
    const task = scheduler.defer(20, () => {});
    scheduler.defer(10, () => {});
    expect(task.pending).toBe(true);
    expect(task.deadline).toBe(120);
    expect(scheduler.nextDeadline).toBe(110);
    expect(clock.pendingTimers).toBe(1);
    scheduler.close();
  });

  it('places tasks deferred by a running task before the next batch of the same wake-up', () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.defer(5, () => {
      log.push(`first@${clock.now()}`);
      scheduler.defer(0, note('child'));
      scheduler.at(0, note('past'));
    });
    scheduler.defer(5, note('second'));
    scheduler.defer(6, note('later'));
    clock.advance(10);
    expect(log).toEqual(['first@5', 'second@5', 'child@5', 'past@5', 'later@6']);
  });

  it('reads a custom clock at every defer: only a ManualClock says when its time moves', () => {
    let time = 0;
    const clock = { now: () => time, setTimer: () => ({ clear() {} }) };
    const scheduler = new Scheduler({ clock });
    const first = scheduler.defer(10, () => {});
    time = 5;
    const second = scheduler.defer(10, () => {});
    expect([first.deadline, second.deadline]).toEqual([10, 15]);
    scheduler.close();
  });
});

describe('Scheduler.at()', () => {
  it('runs a task at an absolute time on the clock', () => {
    const { clock, scheduler, log, note } = setup();
    clock.advance(1_000);
    scheduler.at(1_250.5, note('a'));
    clock.advance(250);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['a@1251']);
  });

  it('treats a past time as now: it runs at the next wake-up, in insertion order with other past times', () => {
    const { clock, scheduler, log, note } = setup();
    clock.advance(100);
    scheduler.at(50, note('b'));
    scheduler.at(10, note('c'));
    expect(scheduler.nextDeadline).toBe(100);
    clock.advance(0);
    expect(log).toEqual(['b@100', 'c@100']);
  });
});

describe('Scheduler.recur()', () => {
  it('runs every period, the first run after one period or at once with `immediate`', () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.recur(30, note('r'));
    scheduler.recur(30, note('i'), { immediate: true });
    clock.advance(90);
    expect(log).toEqual(['i@0', 'r@30', 'i@30', 'r@60', 'i@60', 'r@90', 'i@90']);
  });

  it('schedules run n at start + n periods, so fractional periods do not drift', () => {
    const { clock, scheduler } = setup();
    clock.advance(3);
    const deadlines: number[] = [];
    const task = scheduler.recur(1.1, () => deadlines.push(task.deadline!));
    clock.advance(1_100);
    expect(deadlines).toHaveLength(1_000);
    // Adding 1.1 a thousand times would drift: 3 + 1.1 * 1000 is not the thousandth sum.
    deadlines.forEach((deadline, k) => expect(deadline).toBe(3 + (k + 1) * 1.1));
  });

  it('skips runs that were already missed instead of running them in a burst', () => {
    const { clock, scheduler } = setup({ resolutionMs: 10 });
    const runs: string[] = [];
    const task = scheduler.recur(4, () => runs.push(`${task.deadline}@${clock.now()}`));
    clock.advance(20);
    // Run 1 (due at 4) ran at 10, when run 2 (due at 8) was already late: 8 and 16 are skipped.
    expect(runs).toEqual(['4@10', '12@20', '20@20']);
  });

  it('stops when cancelled from inside its own run', () => {
    const { clock, scheduler } = setup();
    let runs = 0;
    const task = scheduler.recur(10, () => {
      if (++runs === 3) expect(task.cancel()).toBe(true);
    });
    clock.advance(100);
    expect(runs).toBe(3);
    expect(task.pending).toBe(false);
    expect(scheduler.size).toBe(0);
  });
});

describe('Task.cancel()', () => {
  it('returns true once for a pending task and false after it ran or was cancelled', () => {
    const { clock, scheduler } = setup();
    const a = scheduler.defer(10, () => {});
    const b = scheduler.defer(10, () => {});
    expect(a.cancel()).toBe(true);
    expect(a.cancel()).toBe(false);
    clock.advance(10);
    expect(b.pending).toBe(false);
    expect(b.cancel()).toBe(false);
  });

  it('cancels a task due in the same batch from inside an earlier one', () => {
    const { clock, scheduler, log, note } = setup();
    let victim: { cancel(): boolean } | undefined;
    scheduler.defer(5, () => log.push(`cancelled: ${victim!.cancel()}`));
    victim = scheduler.defer(5, note('victim'));
    scheduler.defer(5, note('after'));
    clock.advance(5);
    expect(log).toEqual(['cancelled: true', 'after@5']);
  });

  it('does not touch a new task that reuses a finished task slot', () => {
    const { clock, scheduler, log, note } = setup();
    const old = scheduler.defer(1, () => {});
    clock.advance(1);
    scheduler.defer(5, note('new'));
    expect(old.cancel()).toBe(false);
    clock.advance(5);
    expect(log).toEqual(['new@6']);
  });

  it('is a Task, whichever scheduler made it; new Task() is refused', () => {
    const { scheduler } = setup();
    const other = new Scheduler({ clock: new ManualClock() });
    const tasks = [scheduler.defer(1, () => {}), other.defer(1, () => {}), scheduler.recur(1, () => {})];
    for (const task of tasks) {
      expect(task).toBeInstanceOf(Task);
      expect(task.constructor.name).toBe('Task');
    }
    expect(tasks[1]!.cancel()).toBe(true);
    expect(tasks[0]!.pending).toBe(true);
    expect(() => new Task(0, 0)).toThrow(TypeError);
    expect(() => Task.prototype.cancel.call(tasks[0])).toThrow(TypeError);
    other.close();
  });

  it('reports the deadline while pending and undefined afterwards', () => {
    const { clock, scheduler } = setup();
    clock.advance(7);
    const task = scheduler.defer(20, () => {});
    expect(task.deadline).toBe(27);
    task.cancel();
    expect(task.deadline).toBeUndefined();
  });
});

describe('Scheduler.sleep()', () => {
  it('resolves after the delay', async () => {
    const { clock, scheduler } = setup();
    let done = false;
    const sleeping = scheduler.sleep(50).then(() => (done = true));
    clock.advance(49);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(scheduler.size).toBe(0);
  });

  it('rejects with an AbortError carrying the reason when aborted, and frees its task', async () => {
    const { scheduler } = setup();
    const controller = new AbortController();
    const sleeping = scheduler.sleep(1_000, { signal: controller.signal });
    expect(scheduler.size).toBe(1);
    controller.abort(new Error('stop'));
    const error = await sleeping.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(error).toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: { message: 'stop' } });
    expect(scheduler.size).toBe(0);
    await expect(scheduler.sleep(1, { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });
});

describe('onError', () => {
  it('receives what a task throws with its name, and the scheduler keeps running', () => {
    const errors: [unknown, string][] = [];
    const { clock, scheduler, log, note } = setup({ onError: (error, name) => errors.push([error, name]) });
    const boom = new Error('boom');
    scheduler.defer(1, function failing() {
      throw boom;
    });
    const failingRecurrence = scheduler.recur(1, () => {
      throw boom;
    });
    scheduler.defer(2, note('still runs'));
    clock.advance(2);
    expect(errors).toEqual([
      [boom, 'failing'],
      [boom, 'anonymous'],
      [boom, 'anonymous'],
    ]);
    expect(log).toEqual(['still runs@2']);
    expect(failingRecurrence.pending).toBe(true);
  });
});

describe('Scheduler.close()', () => {
  it('cancels pending tasks, rejects pending sleeps and makes later calls throw ERR_X_SCHEDULER_CLOSED', async () => {
    const { clock, scheduler, log, note } = setup();
    const task = scheduler.defer(10, note('never'));
    scheduler.recur(5, note('never-recur'));
    const sleeping = scheduler.sleep(10);
    scheduler.close();
    scheduler.close();
    expect(scheduler.closed).toBe(true);
    expect(scheduler.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(task.pending).toBe(false);
    expect(task.cancel()).toBe(false);
    await expect(sleeping).rejects.toBeInstanceOf(SchedulerClosedError);
    clock.advance(100);
    expect(log).toEqual([]);
    for (const call of [() => scheduler.defer(1, () => {}), () => scheduler.at(1, () => {}), () => scheduler.recur(1, () => {})]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_X_SCHEDULER_CLOSED' }));
    }
    await expect(scheduler.sleep(1)).rejects.toMatchObject({ code: 'ERR_X_SCHEDULER_CLOSED' });
  });

  it('stops the rest of the batch when called from inside a task', () => {
    const { clock, scheduler, log, note } = setup();
    scheduler.defer(5, () => {
      log.push('closing');
      scheduler.close();
    });
    scheduler.defer(5, note('same batch'));
    scheduler.defer(6, note('later'));
    clock.advance(10);
    expect(log).toEqual(['closing']);
  });

  it('is what `using` calls', () => {
    const clock = new ManualClock();
    let outer: Scheduler;
    {
      using scheduler = new Scheduler({ clock });
      outer = scheduler;
      scheduler.defer(1, () => {});
    }
    expect(outer.closed).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('size and nextDeadline', () => {
  it('count pending tasks and give the earliest deadline across wheel levels', () => {
    const { clock, scheduler } = setup();
    expect(scheduler.nextDeadline).toBeUndefined();
    scheduler.defer(5_000_000, () => {});
    scheduler.defer(70_000.5, () => {});
    const near = scheduler.defer(30, () => {});
    expect(scheduler.size).toBe(3);
    expect(scheduler.nextDeadline).toBe(30);
    near.cancel();
    expect(scheduler.nextDeadline).toBe(70_000.5);
    clock.advance(70_001);
    expect(scheduler.nextDeadline).toBe(5_000_000);
    expect(scheduler.size).toBe(1);
  });
});

describe('invalid arguments', () => {
  const { scheduler } = setup();
  const fn = () => {};
  const cases: [string, () => unknown, string][] = [
    ['defer: negative ms', () => scheduler.defer(-1, fn), '`ms`'],
    ['defer: NaN ms', () => scheduler.defer(Number.NaN, fn), '`ms`'],
    ['defer: ms past 2^52', () => scheduler.defer(2 ** 53, fn), '`ms`'],
    ['defer: string ms', () => scheduler.defer('5' as unknown as number, fn), '`ms`'],
    ['defer: no function', () => scheduler.defer(5, 'fn' as unknown as () => void), '`fn`'],
    ['at: Infinity', () => scheduler.at(Number.POSITIVE_INFINITY, fn), '`time`'],
    ['recur: zero period', () => scheduler.recur(0, fn), '`periodMs`'],
    ['recur: bad immediate', () => scheduler.recur(5, fn, { immediate: 1 as unknown as boolean }), '`options.immediate`'],
    ['constructor: resolution 0.5', () => new Scheduler({ resolutionMs: 0.5 }), '`options.resolutionMs`'],
    ['constructor: bad clock', () => new Scheduler({ clock: {} as never }), '`options.clock`'],
    ['constructor: bad keepAlive', () => new Scheduler({ keepAlive: 'no' as never }), '`options.keepAlive`'],
    ['constructor: bad onError', () => new Scheduler({ onError: 5 as never }), '`options.onError`'],
    ['ManualClock: NaN start', () => new ManualClock(Number.NaN), '`start`'],
    ['ManualClock.advance: negative', () => new ManualClock().advance(-5), '`ms`'],
  ];
  for (const [name, call, argument] of cases) {
    it(`rejects ${name} with ERR_X_INVALID_ARG naming ${argument}`, () => {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      expect(isSchedulerError(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'ERR_X_INVALID_ARG', name: 'InvalidArgumentError' });
      expect((thrown as Error).message).toContain(argument);
      expect((thrown as Error).message).toMatch(/got /);
    });
  }

  it('rejects a bad sleep delay or signal with ERR_X_INVALID_ARG', async () => {
    await expect(scheduler.sleep(-1)).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
    await expect(scheduler.sleep(1, { signal: {} as AbortSignal })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
  });
});
