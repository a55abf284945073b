// The time source a Scheduler reads and the one timer it arms on it.
import { performance } from 'node:perf_hooks';

/** A timer armed on a `Clock`; `clear()` disarms it (a no-op once it has fired). */
export interface ClockTimer {
  clear(): void;
}

/**
 * Where a `Scheduler` reads the time and arms its single wake-up. `systemClock` is Node's monotonic clock
 * and one `setTimeout`; `ManualClock` is driven by hand in tests.
 */
export interface Clock {
  /** The current time in milliseconds. It never goes backwards. */
  now(): number;
  /**
   * Calls `callback` once, at or after `time` (milliseconds on this clock). With `keepAlive` false the
   * timer must not hold the process open.
   */
  setTimer(callback: () => void, time: number, keepAlive: boolean): ClockTimer;
}

/**
 * Internal: a clock with this method calls each listener it was given just before its time moves, so a
 * Scheduler can place the tasks whose clock read it put off (see `Scheduler.defer`). Returns a function
 * that removes the listener. `ManualClock` has it; the system clock needs none, since its time cannot
 * move within a synchronous run as far as the wheel can tell.
 */
export const clockWillMove = Symbol('clockWillMove');

/** Node's `setTimeout` takes at most 2^31-1 ms; a longer wait wakes early and is re-armed for the rest. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The real clock: `performance.now()` (milliseconds since `performance.timeOrigin`, monotonic) and one
 * Node `setTimeout`, unref'd when `keepAlive` is false.
 *
 * @example
 * import { Scheduler, systemClock } from '@x/scheduler';
 * const scheduler = new Scheduler({ clock: systemClock });
 * scheduler.at(systemClock.now() + 100, () => console.log('100 ms later'));
 */
export const systemClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimer(callback: () => void, time: number, keepAlive: boolean): ClockTimer {
    const delay = Math.min(Math.max(0, Math.ceil(time - performance.now())), MAX_TIMEOUT_MS);
    const timeout = setTimeout(callback, delay);
    if (!keepAlive) timeout.unref();
    return { clear: () => clearTimeout(timeout) };
  },
});
