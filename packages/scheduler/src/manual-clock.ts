// A clock that moves only when told to: deterministic tests of anything built on Scheduler.
import { type Clock, type ClockTimer, clockWillMove } from './clock.js';
import { ClockReentryError, InvalidArgumentError, RunAllLimitError } from './errors.js';
import { checkDelay, checkTime } from './validate.js';

class ManualTimer implements ClockTimer {
  cleared = false;
  constructor(
    readonly time: number,
    readonly order: number,
    readonly callback: () => void,
    private readonly timers: Set<ManualTimer>,
  ) {}

  clear(): void {
    this.cleared = true;
    this.timers.delete(this);
  }
}

/**
 * A `Clock` for tests: time stands still until `advance(ms)` or `runAll()` moves it, and those run exactly
 * the tasks that become due, in deadline order, each seeing `now()` equal to the time its wake-up was
 * armed for. Tasks scheduled by the tasks it runs are run too when they fall due within the advance.
 *
 * @example
 * import { ManualClock, Scheduler } from '@x/scheduler';
 * const clock = new ManualClock();
 * const scheduler = new Scheduler({ clock });
 * scheduler.defer(100, () => console.log('at', clock.now())); // prints "at 100"
 * clock.advance(99); // nothing yet
 * clock.advance(1);
 */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  #running = false;
  readonly #timers = new Set<ManualTimer>();
  readonly #willMove = new Set<() => void>();

  /**
   * @param start The initial time in milliseconds (0).
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` if `start` is not a finite number.
   */
  constructor(start = 0) {
    this.#now = checkTime('start', start);
  }

  /** The current time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /** How many timers are armed on this clock (each Scheduler arms at most one). */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** @internal Calls `listener` before time moves (used by `Scheduler`); returns its removal. */
  [clockWillMove](listener: () => void): () => void {
    const entry = () => listener();
    this.#willMove.add(entry);
    return () => this.#willMove.delete(entry);
  }

  /** Arms a timer; used by `Scheduler`. `keepAlive` has no meaning for a manual clock. */
  setTimer(callback: () => void, time: number, _keepAlive: boolean): ClockTimer {
    const timer = new ManualTimer(checkTime('time', time), this.#order++, callback, this.#timers);
    this.#timers.add(timer);
    return timer;
  }

  /**
   * Moves time forward by `ms` milliseconds, firing every timer due on the way in time order (ties in
   * the order they were armed), including timers armed by the callbacks it fires; then `now()` is the
   * old time plus `ms`.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` if `ms` is not a number >= 0.
   * @throws {ClockReentryError} `ERR_X_SCHEDULER_CLOCK_REENTRY` if called from a task this clock is running.
   */
  advance(ms: number): void {
    const target = this.#now + checkDelay('ms', ms);
    this.#run('advance', target, Infinity);
    this.#now = target;
  }

  /**
   * Fires timers, moving time to each one, until none is armed: every pending task runs, and so do those
   * they schedule. Gives up with `RunAllLimitError` after `limit` timers, since a recurrence never lets
   * the clock run dry.
   *
   * @param limit The most timers to fire (10,000).
   * @throws {RunAllLimitError} `ERR_X_SCHEDULER_RUN_ALL_LIMIT` when timers are still armed after `limit` fired.
   * @throws {ClockReentryError} `ERR_X_SCHEDULER_CLOCK_REENTRY` if called from a task this clock is running.
   */
  runAll(limit = 10_000): void {
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidArgumentError('limit', 'an integer >= 1', limit);
    if (this.#run('runAll', Infinity, limit) === limit && this.#timers.size > 0) throw new RunAllLimitError(limit);
  }

  #run(operation: string, target: number, limit: number): number {
    if (this.#running) throw new ClockReentryError(operation);
    this.#running = true;
    let fired = 0;
    try {
      while (fired < limit) {
        // Schedulers place the tasks they deferred, so the timers they arm for them are seen below.
        for (const listener of this.#willMove) listener();
        let first: ManualTimer | undefined;
        for (const timer of this.#timers) {
          if (timer.time <= target && (!first || timer.time < first.time || (timer.time === first.time && timer.order < first.order))) {
            first = timer;
          }
        }
        if (!first) break;
        first.clear();
        if (first.time > this.#now) this.#now = first.time;
        fired++;
        first.callback();
      }
    } finally {
      this.#running = false;
    }
    return fired;
  }
}
