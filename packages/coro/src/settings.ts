// Process-wide knobs: the latency warning and selfishness.
import { Coro, current } from './coro.js';
import { InvalidArgumentError, checkFunction, checkInteger } from './errors.js';
import { type RunnableNotifier, rt } from './runtime.js';

/** Receives each slice of a coroutine that blocked the loop for longer than the latency threshold. */
export type LatencyNotifier = (report: { coro: Coro; durationMs: number; where: string }) => void;

/**
 * Sets the latency warning: a slice in which one coroutine keeps the loop busy for longer than
 * 200 ms × `factor` is reported, naming the coroutine and where it is now (shrapnel's
 * `set_latency_warning`). 0 disables it. Returns the previous factor.
 *
 * @param factor from 0 to 300 (1 by default: 200 ms).
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` otherwise.
 * @example
 * import { setLatencyWarning } from '@x/coro';
 * setLatencyWarning(0.25); // warn beyond 50 ms
 */
export function setLatencyWarning(factor: number): number {
  if (typeof factor !== 'number' || !(factor >= 0 && factor <= 300)) {
    throw new InvalidArgumentError('factor', 'a number from 0 to 300', factor);
  }
  const previous = rt.latencyFactor;
  rt.latencyFactor = factor;
  rt.latencyThresholdMs = factor === 0 ? Infinity : 200 * factor;
  return previous;
}

/**
 * Sets what receives latency warnings (default: a line on stderr with the time, the duration, the
 * coroutine's id and name, and where it is). Returns the previous notifier (undefined: the default).
 *
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a non-function.
 * @example
 * import { setLatencyNotifier } from '@x/coro';
 * setLatencyNotifier(({ coro, durationMs }) => console.warn(`${coro.name} held the loop ${durationMs} ms`));
 */
export function setLatencyNotifier(fn: LatencyNotifier | undefined): LatencyNotifier | undefined {
  if (fn !== undefined) checkFunction('fn', fn);
  // The run queue holds only Coros: the runtime names them Runnable so that it need not import coro.ts.
  const previous = rt.latencyNotifier as LatencyNotifier | undefined;
  rt.latencyNotifier = fn as RunnableNotifier | undefined;
  return previous;
}

/**
 * Sets the default number of operations a coroutine may complete synchronously in a row (a Fifo pop
 * with items waiting, an uncontended lock) before it is made to yield to the others; new coroutines
 * take it, and `coro.setMaxSelfishActs()` changes one. Returns the previous default (4).
 *
 * @param acts 1 to 32768.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` otherwise.
 * @example
 * import { setSelfishness } from '@x/coro';
 * setSelfishness(64); // favour throughput over fairness
 */
export function setSelfishness(acts: number): number {
  checkInteger('acts', acts, 1, 32768);
  const previous = rt.selfishness;
  rt.selfishness = acts;
  return previous;
}

/**
 * Sets how many operations the calling coroutine (or `co`) may complete synchronously in a row before
 * it must yield (shrapnel's `set_max_selfish_acts`). Returns the previous value.
 *
 * @param acts 1 to 32768.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for `acts` out of range, or when there is no coroutine.
 * @example
 * import { setMaxSelfishActs, spawn } from '@x/coro';
 * spawn(function* () { setMaxSelfishActs(1); });
 */
export function setMaxSelfishActs(acts: number, co: Coro | undefined = current()): number {
  if (!(co instanceof Coro)) throw new InvalidArgumentError('co', 'a Coro (or a call from inside a coroutine)', co);
  return co.setMaxSelfishActs(acts);
}
