import { describe, expect, it } from 'vitest';
import { ClockReentryError, ManualClock, RunAllLimitError, Scheduler } from '../src/index.js';

describe('ManualClock', () => {
  it('starts at the given time and moves only when advanced', () => {
    const clock = new ManualClock(500);
    expect(clock.now()).toBe(500);
    clock.advance(25.5);
    expect(clock.now()).toBe(525.5);
  });

  it('advance() runs exactly the due tasks, including those scheduled by the tasks it runs, in order', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler({ clock });
    const log: string[] = [];
    scheduler.defer(10, () => {
      log.push(`a@${clock.now()}`);
      scheduler.defer(5, () => log.push(`child@${clock.now()}`));
      scheduler.defer(50, () => log.push(`too late@${clock.now()}`));
    });
    scheduler.defer(12, () => log.push(`b@${clock.now()}`));
    clock.advance(20);
    expect(log).toEqual(['a@10', 'b@12', 'child@15']);
    expect(clock.now()).toBe(20);
    expect(scheduler.size).toBe(1);
  });

  it('drives several schedulers in time order', () => {
    const clock = new ManualClock();
    const one = new Scheduler({ clock });
    const two = new Scheduler({ clock, resolutionMs: 5 });
    const log: string[] = [];
    one.defer(7, () => log.push(`one@${clock.now()}`));
    two.defer(3, () => log.push(`two@${clock.now()}`));
    clock.advance(10);
    expect(log).toEqual(['two@5', 'one@7']);
  });

  it('runAll() runs everything pending, moving time to each deadline', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler({ clock });
    let ran = 0;
    scheduler.defer(10, () => scheduler.defer(1e9, () => ran++));
    clock.runAll();
    expect(ran).toBe(1);
    expect(clock.now()).toBe(1e9 + 10);
  });

  it('runAll() gives up with ERR_X_SCHEDULER_RUN_ALL_LIMIT when a recurrence never lets it finish', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler({ clock });
    scheduler.recur(1, () => {});
    expect(() => clock.runAll(100)).toThrow(RunAllLimitError);
    expect(() => clock.runAll(100)).toThrow(expect.objectContaining({ code: 'ERR_X_SCHEDULER_RUN_ALL_LIMIT', limit: 100 }));
  });

  it('refuses to be advanced from a task it is running (ERR_X_SCHEDULER_CLOCK_REENTRY)', () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ clock, onError: (error) => errors.push(error) });
    scheduler.defer(1, () => clock.advance(1));
    clock.advance(1);
    expect(errors).toEqual([expect.any(ClockReentryError)]);
    expect(errors[0]).toMatchObject({ code: 'ERR_X_SCHEDULER_CLOCK_REENTRY' });
  });
});
