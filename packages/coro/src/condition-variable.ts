// ConditionVariable: coroutines wait until another wakes them, with a value.
import type { Coro } from './coro.js';
import { checkInteger } from './errors.js';
import type { Operation } from './operation.js';
import { WaitQueue, Waiter } from './wait-queue.js';

class Wait<T> extends Waiter<T> {
  readonly #cv: ConditionVariable<T>;

  constructor(cv: ConditionVariable<T>) {
    super();
    this.#cv = cv;
  }

  describe(): string {
    return 'ConditionVariable.wait()';
  }

  protected attempt(_co: Coro): boolean {
    this.#cv.waiters.push(this);
    return false;
  }

  /** Interrupted after being woken: the wakeup passes to the next waiter rather than being lost. */
  protected undo(value: unknown): void {
    this.#cv.wakeOne(value as T);
  }
}

/**
 * A condition variable (shrapnel's `condition_variable`): `wait()` suspends until `wakeOne`, `wakeN` or
 * `wakeAll` is called, and gives the value passed to it; `raiseAll(error)` throws in every waiter.
 * Waiters are woken in the order they came; an interrupted waiter leaves the queue, and a wakeup it had
 * received but not yet used passes to the next waiter.
 *
 * @example
 * import { ConditionVariable, spawn } from '@x/coro';
 * const ready = new ConditionVariable<string>();
 * spawn(function* () { console.log('got', yield* ready.wait()); });
 * setTimeout(() => ready.wakeAll('go'), 10);
 */
export class ConditionVariable<T = void> {
  /** @internal */
  readonly waiters = new WaitQueue<Wait<T>>();

  /** How many coroutines are waiting. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Suspends until woken; gives the value the waker passed. */
  wait(): Operation<T> {
    return new Wait(this);
  }

  /** Wakes the first waiter with `value`; returns whether there was one. */
  wakeOne(value?: T): boolean {
    const waiter = this.waiters.shift();
    waiter?.wake(value);
    return waiter !== undefined;
  }

  /**
   * Wakes the first `count` waiters with `value`; returns how many were woken.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` unless `count` is an integer >= 0.
   */
  wakeN(count: number, value?: T): number {
    checkInteger('count', count, 0, Number.MAX_SAFE_INTEGER);
    let woken = 0;
    while (woken < count && this.wakeOne(value)) woken++;
    return woken;
  }

  /** Wakes every waiter with `value`; returns how many were woken. */
  wakeAll(value?: T): number {
    return this.wakeN(this.waiters.size, value);
  }

  /** Throws `error` in every waiter; returns how many there were. */
  raiseAll(error: unknown): number {
    let count = 0;
    for (let waiter = this.waiters.shift(); waiter !== undefined; waiter = this.waiters.shift(), count++) waiter.fail(error);
    return count;
  }
}
