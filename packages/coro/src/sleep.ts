// Sleeping: relative, absolute, and giving up the rest of the slice.
import { performance } from 'node:perf_hooks';
import type { Task } from '@x/scheduler';
import type { Coro } from './coro.js';
import { InvalidArgumentError, checkMs } from './errors.js';
import { type Operation, Suspension } from './operation.js';
import { wakeFromTimer } from './runtime.js';
import { timers } from './timers.js';

function ring(sleep: Sleep): void {
  sleep.wake(undefined);
}

/** Parks until a deadline on the shared timing wheel. */
class Sleep extends Suspension<void> {
  readonly #ms: number;
  readonly #absolute: boolean;
  #task: Task | undefined = undefined;

  constructor(ms: number, absolute: boolean) {
    super();
    this.#ms = ms;
    this.#absolute = absolute;
  }

  describe(): string {
    return this.#absolute ? `sleepAbsolute(${this.#ms})` : `sleep(${this.#ms})`;
  }

  protected attempt(_co: Coro): boolean {
    if (this.#ms === Infinity) return false;
    // An anonymous arrow made here, not a class field: under esbuild's keepNames (tsx, vitest) a named
    // arrow costs an Object.defineProperty per sleep, which was most of the cost of starting one.
    const timer = timers();
    this.#task = this.#absolute ? timer.at(this.#ms, () => wakeFromTimer(ring, this)) : timer.defer(this.#ms, () => wakeFromTimer(ring, this));
    return false;
  }

  protected cancel(): void {
    this.#task?.cancel();
  }
}

/**
 * Suspends the coroutine for `ms` milliseconds. It can be interrupted meanwhile (`shutdown`,
 * `withTimeout`, `raiseException`), which cancels the timer.
 *
 * @param ms the number of milliseconds to sleep, >= 0 (Infinity: until interrupted).
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a negative or non-number `ms`.
 * @example
 * import { sleep, spawn } from '@x/coro';
 * spawn(function* () {
 *   yield* sleep(250);
 *   console.log('a quarter of a second later');
 * });
 */
export function sleep(ms: number): Operation<void> {
  return new Sleep(checkMs('ms', ms), false);
}

/**
 * Suspends the coroutine until `time`, in milliseconds on `performance.now()`'s clock (since
 * `performance.timeOrigin`). A time already past wakes on the next pass.
 *
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a non-finite `time`.
 * @example
 * import { performance } from 'node:perf_hooks';
 * import { sleepAbsolute, spawn } from '@x/coro';
 * const start = performance.now();
 * spawn(function* () {
 *   for (let tick = 1; tick <= 3; tick++) yield* sleepAbsolute(start + tick * 100); // no drift
 * });
 */
export function sleepAbsolute(time: number): Operation<void> {
  if (typeof time !== 'number' || !Number.isFinite(time)) {
    throw new InvalidArgumentError('time', 'a finite number of milliseconds on performance.now()', time);
  }
  return new Sleep(Math.max(time, performance.now()), true);
}

/** Goes to the back of the run queue. */
class Slice extends Suspension<void> {
  describe(): string {
    return 'yieldSlice()';
  }

  protected attempt(co: Coro): boolean {
    co.yieldSlice();
    return false;
  }
}

/**
 * Lets every other queued coroutine run, then continues (shrapnel's `yield_slice`). A loop that computes
 * for long stretches should call it now and then so others, and libuv, get a turn.
 *
 * @example
 * import { spawn, yieldSlice } from '@x/coro';
 * spawn(function* () {
 *   for (let k = 0; k < 1e6; k++) if (k % 10_000 === 0) yield* yieldSlice();
 * });
 */
export function yieldSlice(): Operation<void> {
  return new Slice();
}
