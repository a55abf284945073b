// The Scheduler: deferred and recurring tasks on one timing wheel, woken by one timer.
import { performance } from 'node:perf_hooks';
import { type Clock, type ClockTimer, clockWillMove, systemClock } from './clock.js';
import { AbortError, InvalidArgumentError, SchedulerClosedError } from './errors.js';
import { Recurrence, SleepJob } from './jobs.js';
import { type Task, TaskHandle, type TaskOwner, renewTask } from './task.js';
import { TimingWheel } from './timing-wheel.js';
import { checkBoolean, checkDelay, checkFunction, checkObject, checkTime } from './validate.js';

/** Options of `new Scheduler()`. */
export interface SchedulerOptions {
  /** Where time is read and the wake-up timer is armed (`systemClock`); `ManualClock` in tests. */
  clock?: Clock;
  /** The wheel's tick in milliseconds, a positive integer (1). Tasks run at most this much after their deadline, plus event-loop delay. */
  resolutionMs?: number;
  /** Whether pending tasks keep the process alive (true). With false the timer is unref'd. */
  keepAlive?: boolean;
  /** Receives what a task throws, with the task's name (its function's name); the scheduler keeps running. Default: a report on stderr. */
  onError?: (error: unknown, taskName: string) => void;
}

/** Options of `Scheduler.recur()`. */
export interface RecurOptions {
  /** Run the first time at once (as soon as the scheduler wakes) instead of after one period (false). */
  immediate?: boolean;
}

/** Options of `Scheduler.sleep()`. */
export interface SleepOptions {
  /** Aborting it cancels the sleep and rejects the promise with an `AbortError` whose `cause` is the reason. */
  signal?: AbortSignal;
}

function reportOnStderr(error: unknown, taskName: string): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.stderr.write(`@x/scheduler: task "${taskName}" threw; the scheduler keeps running.\n${detail}\n`);
}

/**
 * Runs functions later, at a time, or every period: a hierarchical timing wheel (O(1) `defer` and
 * `cancel`) driven by a single timer armed for the next due slot. A million pending tasks cost one
 * Node timer and about 34 bytes each (plus 40 per `Task` handle the caller keeps).
 *
 * Tasks due in the same tick run in deadline order, then in the order they were scheduled. A task never
 * runs before its deadline; it runs at most `resolutionMs` after it plus whatever delays the event loop.
 * A `defer` or `sleep` deadline counts from the end of the synchronous run that scheduled it (see `defer`).
 *
 * @example
 * import { Scheduler } from '@x/scheduler';
 * const scheduler = new Scheduler();
 * scheduler.defer(50, () => console.log('50 ms later'));
 * const tick = scheduler.recur(10, () => console.log('every 10 ms, without drift'));
 * await scheduler.sleep(45);
 * tick.cancel();
 * await scheduler.sleep(10);
 * scheduler.close();
 */
export class Scheduler implements Disposable {
  /** The clock this scheduler reads. */
  readonly clock: Clock;
  /** The tick of the wheel, in milliseconds. */
  readonly resolutionMs: number;
  /** Whether pending tasks keep the process alive. */
  readonly keepAlive: boolean;
  readonly #onError: (error: unknown, taskName: string) => void;
  readonly #wheel: TimingWheel;
  readonly #originTick: number;
  readonly #owner: TaskOwner;
  readonly #onTimer = (): void => this.#wake();
  /** Whether `defer` and `sleep` leave the clock read to `#placePending` (see `defer`). */
  readonly #batchDefers: boolean;
  /**
   * Whether the clock is `systemClock`, read and armed by direct calls: through `this.clock` those call
   * sites turn polymorphic, and slower, once a ManualClock's scheduler has run in the same process.
   */
  readonly #system: boolean;
  readonly #placeSoon = (): void => {
    this.#placeQueued = false;
    this.#placePending();
  };
  #placeQueued = false;
  #stopWatchingClock: (() => void) | undefined;
  #timer: ClockTimer | undefined;
  /** The wheel tick the timer is armed for (-Infinity: now); Infinity when no timer is armed. */
  #armedTick = Infinity;
  #disarmQueued = false;
  #processing = false;
  #closed = false;

  /**
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for an option of the wrong type or range.
   */
  constructor(options: SchedulerOptions = {}) {
    const { clock = systemClock, resolutionMs = 1, keepAlive, onError = reportOnStderr } = checkObject('options', options);
    if (typeof clock !== 'object' || clock === null || typeof (clock as Clock).now !== 'function' || typeof (clock as Clock).setTimer !== 'function') {
      throw new InvalidArgumentError('options.clock', 'a Clock (an object with now() and setTimer())', clock);
    }
    if (!Number.isInteger(resolutionMs) || (resolutionMs as number) < 1 || (resolutionMs as number) > 2 ** 31) {
      throw new InvalidArgumentError('options.resolutionMs', 'an integer number of milliseconds >= 1', resolutionMs);
    }
    checkFunction('options.onError', onError);
    this.clock = clock as Clock;
    this.resolutionMs = resolutionMs as number;
    this.keepAlive = checkBoolean('options.keepAlive', keepAlive, true);
    this.#onError = onError as (error: unknown, taskName: string) => void;
    this.#originTick = Math.floor(checkTime('options.clock.now()', this.clock.now()) / this.resolutionMs);
    const wheel = (this.#wheel = new TimingWheel(this.resolutionMs, this.#originTick));
    this.#owner = {
      cancel: (index, id) => {
        if (!wheel.cancel(index, id)) return false;
        this.#afterCancel();
        return true;
      },
      holds: (index, id) => wheel.holds(index, id),
      deadlineOf: (index) => {
        this.#placePending();
        return wheel.deadlineOf(index);
      },
    };
    // Batching defers is safe only where time cannot move before the pending tasks are placed: the
    // system clock moves only between synchronous runs as far as tasks can tell (the placement runs in a
    // microtask, before any timer), and a ManualClock says when it is about to move. A custom clock
    // could fire its timers synchronously without warning, so its defers read it at once.
    const watch = (this.clock as Partial<Record<typeof clockWillMove, (listener: () => void) => () => void>>)[clockWillMove];
    if (typeof watch === 'function') this.#stopWatchingClock = watch.call(this.clock, () => this.#placePending());
    this.#system = this.clock === systemClock;
    this.#batchDefers = this.#system || this.#stopWatchingClock !== undefined;
  }

  /** How many tasks are pending (a recurrence counts once until cancelled). */
  get size(): number {
    return this.#wheel.size;
  }

  /** The earliest deadline among pending tasks in milliseconds on the clock, or undefined when none is pending. */
  get nextDeadline(): number | undefined {
    this.#placePending();
    return this.#wheel.nextDeadline();
  }

  /** True once `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs `fn` once, `ms` milliseconds from now, never earlier than `ms` after this call.
   *
   * "Now" is read once for all the `defer` and `sleep` calls of a synchronous run, in a microtask at its
   * end (or when `nextDeadline` or a task's `deadline` is read first): reading the clock costs about as
   * much as the rest of `defer`. That read is never earlier than the call, so a task is never due early;
   * it is due later than `ms` after the call by the time the run goes on after the call (setTimeout errs
   * the other way: it counts from the start of the event-loop turn). This holds for the system clock and
   * a `ManualClock` (placed before it moves); a custom `Clock` is read at every call, since it could move
   * and fire without warning.
   *
   * @param ms The delay in milliseconds, >= 0; any length up to 2^52 (setTimeout's 2^31-1 limit does not apply).
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a bad `ms` or `fn`.
   * @throws {SchedulerClosedError} `ERR_X_SCHEDULER_CLOSED` after `close()`.
   * @example
   * import { Scheduler } from '@x/scheduler';
   * const scheduler = new Scheduler();
   * const idle = scheduler.defer(30_000, () => console.log('idle for 30 s'));
   * idle.cancel();
   */
  defer(ms: number, fn: () => unknown): Task {
    checkDelay('ms', ms);
    checkFunction('fn', fn);
    this.#checkOpen('defer');
    return this.#addAfter(fn, ms);
  }

  /**
   * Runs `fn` once at `time` (milliseconds on the scheduler's clock; `performance.now()` for the system
   * clock). A time already past counts as now: the task runs at the next wake-up, after tasks already due.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a bad `time` or `fn`.
   * @throws {SchedulerClosedError} `ERR_X_SCHEDULER_CLOSED` after `close()`.
   * @example
   * import { performance } from 'node:perf_hooks';
   * import { Scheduler } from '@x/scheduler';
   * const scheduler = new Scheduler();
   * scheduler.at(performance.now() + 1_000, () => console.log('one second from now'));
   */
  at(time: number, fn: () => unknown): Task {
    checkTime('time', time);
    checkFunction('fn', fn);
    this.#checkOpen('at');
    const now = this.#now();
    if (time - now > 2 ** 52) throw new InvalidArgumentError('time', 'at most 2^52 ms after now', time);
    return this.#add(fn, time < now ? now : time, now);
  }

  /**
   * Runs `fn` every `periodMs` milliseconds until the task is cancelled. Run n is due at
   * `start + n * periodMs` (start: the time of this call), so lateness never accumulates; if the process
   * was too busy to run it before the next one was due, the missed runs are skipped, not run in a burst.
   *
   * @param periodMs The period in milliseconds, > 0.
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a bad `periodMs`, `fn` or `options`.
   * @throws {SchedulerClosedError} `ERR_X_SCHEDULER_CLOSED` after `close()`.
   * @example
   * import { Scheduler } from '@x/scheduler';
   * const scheduler = new Scheduler();
   * let beats = 0;
   * const heartbeat = scheduler.recur(1_000, () => {
   *   if (++beats === 3) heartbeat.cancel();
   * }, { immediate: true });
   */
  recur(periodMs: number, fn: () => unknown, options: RecurOptions = {}): Task {
    checkDelay('periodMs', periodMs, false);
    checkFunction('fn', fn);
    const immediate = checkBoolean('options.immediate', checkObject('options', options).immediate, false);
    this.#checkOpen('recur');
    const now = this.#now();
    const recurrence = new Recurrence(fn, periodMs, now, immediate ? 0 : 1);
    return (recurrence.task = this.#add(recurrence, immediate ? now : now + periodMs, now));
  }

  /**
   * Resolves after `ms` milliseconds, counted as `defer` counts them: never from before this call, and
   * from the end of the current synchronous run where the clock allows. With `signal`, aborting rejects
   * with an `AbortError` (`code` 'ABORT_ERR', `cause` the signal's reason) and frees the task at once.
   * `close()` rejects a pending sleep with `SchedulerClosedError`.
   *
   * @param ms The delay in milliseconds, >= 0.
   * @returns A promise that rejects (never throws) with `ERR_X_INVALID_ARG`, `ERR_X_SCHEDULER_CLOSED` or an AbortError.
   * @example
   * import { Scheduler } from '@x/scheduler';
   * const scheduler = new Scheduler();
   * await scheduler.sleep(100, { signal: AbortSignal.timeout(1_000) });
   */
  sleep(ms: number, options: SleepOptions = {}): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      checkDelay('ms', ms);
      const { signal } = checkObject('options', options);
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        throw new InvalidArgumentError('options.signal', 'an AbortSignal', signal);
      }
      this.#checkOpen('sleep');
      if (signal?.aborted) throw new AbortError(signal.reason);
      const job = new SleepJob(resolve, reject, signal);
      const task = this.#addAfter(job, ms);
      if (signal) {
        job.onAbort = () => {
          task.cancel();
          job.abort();
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
    });
  }

  /**
   * Cancels every pending task, rejects pending sleeps, disarms the timer and frees the wheel. Later
   * `defer`, `at`, `recur` and `sleep` calls throw `ERR_X_SCHEDULER_CLOSED`; closing again does nothing.
   * Called from inside a task, the tasks after it in the same batch do not run.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatchingClock?.();
    this.#disarm();
    const sleeps: SleepJob[] = [];
    this.#wheel.forEachEntry((entry) => {
      if (entry instanceof SleepJob) sleeps.push(entry);
    });
    this.#wheel.clear();
    for (const sleep of sleeps) sleep.drop();
  }

  /** The same as `close()`, for `using scheduler = new Scheduler()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #checkOpen(operation: string): void {
    if (this.#closed) throw new SchedulerClosedError(operation);
  }

  #now(): number {
    return this.#system ? performance.now() : this.clock.now();
  }

  #tick(time: number): number {
    return Math.floor(time / this.resolutionMs) - this.#originTick;
  }

  #add(entry: unknown, deadline: number, now: number): Task {
    const wheel = this.#wheel;
    if (!this.#processing) wheel.syncTo(this.#tick(now));
    const index = wheel.add(entry, deadline);
    if (!this.#processing && wheel.lastEvent < this.#armedTick) this.#arm(wheel.lastEvent);
    return new TaskHandle(this.#owner, index, wheel.lastSeq);
  }

  /** Adds a task due `ms` after now; where that is safe, "now" is read once per synchronous run (see `defer`). */
  #addAfter(entry: unknown, ms: number): Task {
    if (!this.#batchDefers) {
      const now = this.clock.now();
      return this.#add(entry, now + ms, now);
    }
    const wheel = this.#wheel;
    const index = wheel.addPending(entry, ms);
    if (!this.#placeQueued) {
      this.#placeQueued = true;
      queueMicrotask(this.#placeSoon);
    }
    return new TaskHandle(this.#owner, index, wheel.lastSeq);
  }

  /**
   * Places the tasks `defer` and `sleep` left pending, due their delay after `now` (read now if not
   * given): one clock read for all of them. With `settle` (not while a batch runs), the wheel skips idle
   * ticks first and the timer is armed for them.
   */
  #placePending(now?: number, settle = !this.#processing): void {
    const wheel = this.#wheel;
    if (!wheel.hasPending) return;
    now ??= this.#now();
    if (settle) wheel.syncTo(this.#tick(now));
    const event = wheel.placePending(now);
    if (settle && event < this.#armedTick) this.#arm(event);
  }

  #arm(tick: number): void {
    const time = tick === -Infinity ? this.#now() : (tick + this.#originTick) * this.resolutionMs;
    this.#timer?.clear();
    this.#armedTick = tick;
    this.#timer = this.#system
      ? systemClock.setTimer(this.#onTimer, time, this.keepAlive)
      : this.clock.setTimer(this.#onTimer, time, this.keepAlive);
  }

  #disarm(): void {
    this.#timer?.clear();
    this.#timer = undefined;
    this.#armedTick = Infinity;
  }

  // Cancelling the last task releases the timer at the end of the current job, not on every cancel:
  // a defer/cancel pair then costs no timer call at all.
  #afterCancel(): void {
    if (this.#wheel.size !== 0 || this.#processing) return;
    this.#wheel.reclaim();
    if (this.#timer && !this.#disarmQueued) {
      this.#disarmQueued = true;
      queueMicrotask(() => {
        this.#disarmQueued = false;
        if (this.#wheel.size === 0 && !this.#processing) this.#disarm();
      });
    }
  }

  #wake(): void {
    this.#timer = undefined;
    this.#armedTick = Infinity;
    const wheel = this.#wheel;
    const now = this.#now();
    const until = this.#tick(now);
    this.#processing = true;
    try {
      this.#placePending(now, false);
      // Tasks deferred by a batch are placed before the next one is taken, as if placed when deferred:
      // those already due run in this wake-up, in order with the rest.
      while (wheel.nextBatch(until) && this.#runBatch()) this.#placePending(undefined, false);
    } finally {
      this.#processing = false;
    }
    if (this.#closed) return;
    wheel.finish(until);
    if (wheel.size > 0) this.#arm(wheel.nextEvent());
    else wheel.reclaim();
  }

  /** Runs the batch the wheel took; false if a task closed the scheduler. */
  #runBatch(): boolean {
    const wheel = this.#wheel;
    const batch = wheel.batch;
    for (let k = 0; k < batch.length; k++) {
      const index = batch[k]!;
      const entry = wheel.entry(index);
      if (typeof entry === 'function') {
        wheel.take(index);
        try {
          entry();
        } catch (error) {
          this.#report(error, entry.name);
        }
      } else if (entry instanceof Recurrence) {
        this.#runRecurrence(entry, index);
      } else if (entry instanceof SleepJob) {
        wheel.take(index);
        entry.fire();
      } else {
        wheel.take(index); // cancelled while waiting in this batch: frees its index
      }
      if (this.#closed) return false;
    }
    return true;
  }

  #runRecurrence(recurrence: Recurrence, index: number): void {
    try {
      recurrence.fn();
    } catch (error) {
      this.#report(error, recurrence.fn.name);
    }
    if (this.#closed) return;
    const wheel = this.#wheel;
    if (wheel.entry(index) !== recurrence) {
      wheel.take(index); // cancelled by its own run: frees its index
      return;
    }
    wheel.readd(index, recurrence.following(this.#now()));
    recurrence.task[renewTask](wheel.lastSeq);
  }

  #report(error: unknown, name: string): void {
    try {
      this.#onError(error, name || 'anonymous');
    } catch (failure) {
      // An onError that throws is a bug in the program: surface it as an uncaught exception, keep running.
      queueMicrotask(() => {
        throw failure;
      });
    }
  }
}
