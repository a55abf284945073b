// Semaphore: a counter that acquire() takes from, suspending while too little is left.
import type { Coro } from './coro.js';
import { checkInteger } from './errors.js';
import type { Operation } from './operation.js';
import { WaitQueue, Waiter } from './wait-queue.js';

class Acquire extends Waiter<void> {
  readonly #semaphore: Semaphore;
  readonly count: number;

  constructor(semaphore: Semaphore, count: number) {
    super();
    this.#semaphore = semaphore;
    this.count = count;
  }

  protected get selfish(): boolean {
    return true;
  }

  describe(): string {
    return `Semaphore.acquire(${this.count})`;
  }

  protected attempt(_co: Coro): boolean {
    if (this.#semaphore.tryAcquire(this.count)) return true;
    this.#semaphore.waiters.push(this);
    return false;
  }

  /** Leaving the head of the queue may let smaller requests behind it through. */
  protected cancel(): void {
    super.cancel();
    this.#semaphore.release(0);
  }

  /** Interrupted after its permits were granted: they are given back. */
  protected undo(): void {
    this.#semaphore.release(this.count);
  }
}

/**
 * A counting semaphore (shrapnel's `semaphore`): `acquire(n)` takes n units, suspending while fewer are
 * available; `release(n)` gives them back. Waiters are served strictly in order, so a large request is
 * not starved by small ones. An interrupted waiter leaves the queue; permits it was granted but had not
 * yet used are released.
 *
 * @example
 * import { Semaphore, sleep, spawn } from '@x/coro';
 * const slots = new Semaphore(2); // at most two downloads at a time
 * for (const url of ['a', 'b', 'c']) {
 *   spawn(function* () {
 *     yield* slots.acquire();
 *     try { yield* sleep(100); console.log('fetched', url); } finally { slots.release(); }
 *   });
 * }
 */
export class Semaphore {
  #value: number;
  /** @internal */
  readonly waiters = new WaitQueue<Acquire>();

  /**
   * @param value the initial count, an integer >= 0.
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` otherwise.
   */
  constructor(value: number) {
    this.#value = checkInteger('value', value, 0, Number.MAX_SAFE_INTEGER);
  }

  /** The units available now. */
  get value(): number {
    return this.#value;
  }

  /** How many coroutines are waiting in acquire(). */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Takes `count` units, suspending until they are available and every earlier waiter has been served.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` unless `count` is an integer >= 1.
   */
  acquire(count = 1): Operation<void> {
    return new Acquire(this, checkInteger('count', count, 1, Number.MAX_SAFE_INTEGER));
  }

  /** Takes `count` units if they are available now and nobody waits; returns whether it did. */
  tryAcquire(count = 1): boolean {
    checkInteger('count', count, 1, Number.MAX_SAFE_INTEGER);
    if (this.waiters.size > 0 || this.#value < count) return false;
    this.#value -= count;
    return true;
  }

  /**
   * Gives back `count` units and wakes the waiters they satisfy, in order.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` unless `count` is an integer >= 0.
   */
  release(count = 1): void {
    this.#value += checkInteger('count', count, 0, Number.MAX_SAFE_INTEGER);
    for (let first = this.waiters.first; first !== undefined && first.count <= this.#value; first = this.waiters.first) {
      this.#value -= first.count;
      this.waiters.shift();
      first.wake(undefined);
    }
  }
}
