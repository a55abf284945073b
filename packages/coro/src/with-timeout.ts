// Timeouts that really interrupt: shrapnel's timebomb, tagged so that only the one that fired catches it.
import type { Task } from '@x/scheduler';
import { type Coro, current } from './coro.js';
import { Interrupted, NotInCoroutineError, TimeoutError, checkMs } from './errors.js';
import type { Operation, Suspension } from './operation.js';
import { wakeFromTimer } from './runtime.js';
import { timers } from './timers.js';

/** Interrupts one coroutine when its time is up, unless defused first. */
class TimeBomb {
  task: Task | undefined = undefined;
  readonly co: Coro;
  readonly fire: () => void;

  constructor(co: Coro) {
    this.co = co;
    // Assigned here rather than as a class field: esbuild's keepNames (tsx, vitest) names a field's
    // arrow with an Object.defineProperty per instance, a large part of a withTimeout's cost.
    this.fire = () => wakeFromTimer(explode, this);
  }
}

function explode(bomb: TimeBomb): void {
  // Already woken by something else: hold the timeout for one pass, and let the coroutine use what
  // woke it; if the operation returns meanwhile, the timeout is defused (shrapnel's rule).
  if (!bomb.co.interrupt(new Interrupted(bomb), false)) bomb.task = timers().defer(0, bomb.fire);
}

function* timeboxed<T>(ms: number, op: Operation<T>): Generator<Suspension, T, unknown> {
  const co = current();
  if (co === undefined) throw new NotInCoroutineError('withTimeout()');
  const bomb = new TimeBomb(co);
  // A zero limit goes off at the first suspension, whatever woke it; otherwise the wheel sets it off.
  const immediate = ms === 0 ? new Interrupted(bomb) : undefined;
  if (immediate) co.interrupt(immediate, true);
  else bomb.task = timers().defer(ms, bomb.fire);
  try {
    return yield* op;
  } catch (error) {
    if (error instanceof Interrupted && error.tag === bomb) throw new TimeoutError(ms, { cause: error });
    throw error;
  } finally {
    if (immediate) co.withdraw(immediate);
    bomb.task?.cancel();
  }
}

/**
 * Runs `op`, interrupting it if it has not finished within `ms` milliseconds: an `Interrupted` is thrown
 * at its suspension point, its `finally` blocks run, and this operation throws `TimeoutError`.
 *
 * Nested timeouts: when an outer one fires, the inner `withTimeout`s and handlers see a plain
 * `Interrupted` (which they must rethrow) and only the outer one turns it into `TimeoutError`.
 * `withTimeout(0, op)` times out at the first suspension. An `op` that completes without suspending
 * never times out. A negative `ms` counts as 0; `Infinity` sets no timer.
 *
 * @param ms the time limit in milliseconds.
 * @throws {TimeoutError} `ERR_X_CORO_TIMEOUT` when the time is up.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a non-number `ms`.
 * @throws {NotInCoroutineError} `ERR_X_CORO_NOT_IN_COROUTINE` outside a coroutine.
 * @example
 * import { TimeoutError, sleep, spawn, withTimeout } from '@x/coro';
 * spawn(function* () {
 *   try {
 *     yield* withTimeout(100, sleep(1_000));
 *   } catch (error) {
 *     if (!(error instanceof TimeoutError)) throw error;
 *     console.log('gave up after 100 ms');
 *   }
 * });
 */
export function withTimeout<T>(ms: number, op: Operation<T>): Operation<T> {
  const limit = typeof ms === 'number' && ms < 0 ? 0 : checkMs('ms', ms);
  return limit === Infinity ? op : timeboxed(limit, op);
}
