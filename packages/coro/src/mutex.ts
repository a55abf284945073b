// Mutex: a recursive lock owned by one coroutine at a time.
import { type Coro, current } from './coro.js';
import { NotOwnerError } from './errors.js';
import type { Operation, Suspension } from './operation.js';
import { WaitQueue, Waiter } from './wait-queue.js';

class Lock extends Waiter<boolean> {
  readonly #mutex: Mutex;

  constructor(mutex: Mutex) {
    super();
    this.#mutex = mutex;
  }

  protected get selfish(): boolean {
    return true;
  }

  describe(): string {
    return 'Mutex.lock()';
  }

  protected attempt(co: Coro): boolean {
    if (this.#mutex.claim(co)) {
      this.result = false;
      return true;
    }
    this.#mutex.waiters.push(this);
    return false;
  }

  /** Interrupted after ownership was handed over: it passes on to the next waiter. */
  protected undo(): void {
    this.#mutex.handOver();
  }
}

/**
 * A recursive mutual-exclusion lock (shrapnel's `mutex`): the owner may lock it again and must unlock it
 * as many times. Ownership passes directly to the first waiter on unlock, so no newcomer can barge in.
 * An interrupted waiter leaves the queue; if it had just been handed the lock, the lock passes on.
 *
 * Unlike shrapnel's `trylock`, `tryLock()` returns true when it *got* the lock.
 *
 * @example
 * import { Mutex, sleep, spawn } from '@x/coro';
 * const log = new Mutex();
 * spawn(function* () {
 *   yield* log.withLock(function* () { yield* sleep(10); console.log('alone'); }());
 * });
 */
export class Mutex {
  #owner: Coro | undefined = undefined;
  #depth = 0;
  /** @internal */
  readonly waiters = new WaitQueue<Lock>();

  /** True while some coroutine holds the lock. */
  get locked(): boolean {
    return this.#owner !== undefined;
  }

  /** The coroutine holding the lock, if any. */
  get owner(): Coro | undefined {
    return this.#owner;
  }

  /** How many coroutines are waiting in lock(). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Takes the lock, suspending while another coroutine holds it. Gives true if it had to wait. */
  lock(): Operation<boolean> {
    return new Lock(this);
  }

  /** Takes the lock if it is free (or already ours); returns whether it did. Outside a coroutine, always false. */
  tryLock(): boolean {
    const co = current();
    return co !== undefined && this.claim(co);
  }

  /**
   * Releases one level of the lock; the last one hands it to the first waiter.
   *
   * @throws {NotOwnerError} `ERR_X_CORO_NOT_OWNER` when the calling coroutine does not hold it.
   */
  unlock(): void {
    if (this.#owner === undefined || this.#owner !== current()) throw new NotOwnerError('This Mutex');
    if (--this.#depth === 0) this.handOver();
  }

  /**
   * Runs `op` holding the lock, and releases it however `op` ends.
   *
   * @example
   * import { Mutex, spawn } from '@x/coro';
   * const mutex = new Mutex();
   * spawn(function* () { const n: number = yield* mutex.withLock(function* () { return 1; }()); });
   */
  *withLock<T>(op: Operation<T>): Generator<Suspension, T, unknown> {
    yield* this.lock();
    try {
      return yield* op;
    } finally {
      this.unlock();
    }
  }

  /** @internal */
  claim(co: Coro): boolean {
    if (this.#owner === undefined) {
      if (this.waiters.size > 0) return false;
      this.#owner = co;
      this.#depth = 1;
      return true;
    }
    if (this.#owner !== co) return false;
    this.#depth++;
    return true;
  }

  /** @internal Gives the lock to the first waiter, or frees it. */
  handOver(): void {
    const next = this.waiters.shift();
    this.#owner = next?.co;
    this.#depth = next ? 1 : 0;
    next?.wake(true);
  }
}
