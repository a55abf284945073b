// RwLock: many readers or one writer, served in arrival order.
import { type Coro, current } from './coro.js';
import { NotOwnerError } from './errors.js';
import type { Operation, Suspension } from './operation.js';
import { WaitQueue, Waiter } from './wait-queue.js';

class Take extends Waiter<void> {
  readonly #lock: RwLock;
  readonly write: boolean;

  constructor(lock: RwLock, write: boolean) {
    super();
    this.#lock = lock;
    this.write = write;
  }

  protected get selfish(): boolean {
    return true;
  }

  describe(): string {
    return this.write ? 'RwLock.writeLock()' : 'RwLock.readLock()';
  }

  protected attempt(co: Coro): boolean {
    if (this.#lock.admit(this.write, co)) return true;
    this.#lock.waiters.push(this);
    return false;
  }

  /** A writer leaving the head of the queue may let the readers behind it in. */
  protected cancel(): void {
    super.cancel();
    this.#lock.dispatch();
  }

  /** Interrupted after being admitted: the hold is released. */
  protected undo(): void {
    this.#lock.leave(this.write);
  }
}

/**
 * A readers-writer lock (shrapnel's `rw_lock`): any number of readers, or one writer. Requests are served
 * in arrival order (a reader arriving after a waiting writer waits for it), so neither side starves. Not
 * recursive. An interrupted waiter leaves the queue; a hold it had just been granted is released.
 *
 * @example
 * import { RwLock, spawn } from '@x/coro';
 * const table = new RwLock();
 * spawn(function* () {
 *   yield* table.withReadLock(function* () { console.log('reading'); }());
 * });
 */
export class RwLock {
  #readers = 0;
  #writer: Coro | undefined = undefined;
  /** @internal */
  readonly waiters = new WaitQueue<Take>();

  /** How many readers hold the lock. */
  get readers(): number {
    return this.#readers;
  }

  /** The coroutine holding it for writing, if any. */
  get writer(): Coro | undefined {
    return this.#writer;
  }

  /** Takes a read hold, suspending while a writer holds or waits for the lock. */
  readLock(): Operation<void> {
    return new Take(this, false);
  }

  /** Takes the write hold, suspending while anyone holds the lock or waits before us. */
  writeLock(): Operation<void> {
    return new Take(this, true);
  }

  /**
   * Releases a read hold.
   *
   * @throws {NotOwnerError} `ERR_X_CORO_NOT_OWNER` when no reader holds the lock.
   */
  readUnlock(): void {
    if (this.#readers === 0) throw new NotOwnerError('This RwLock (for reading)');
    this.leave(false);
  }

  /**
   * Releases the write hold.
   *
   * @throws {NotOwnerError} `ERR_X_CORO_NOT_OWNER` when the calling coroutine is not the writer.
   */
  writeUnlock(): void {
    if (this.#writer === undefined || this.#writer !== current()) throw new NotOwnerError('This RwLock (for writing)');
    this.leave(true);
  }

  /** Runs `op` with a read hold, released however `op` ends. */
  *withReadLock<T>(op: Operation<T>): Generator<Suspension, T, unknown> {
    yield* this.readLock();
    try {
      return yield* op;
    } finally {
      this.readUnlock();
    }
  }

  /** Runs `op` with the write hold, released however `op` ends. */
  *withWriteLock<T>(op: Operation<T>): Generator<Suspension, T, unknown> {
    yield* this.writeLock();
    try {
      return yield* op;
    } finally {
      this.writeUnlock();
    }
  }

  /** @internal Grants a hold at once if that keeps arrival order. */
  admit(write: boolean, co: Coro): boolean {
    if (this.waiters.size > 0 || this.#writer !== undefined || (write && this.#readers > 0)) return false;
    if (write) this.#writer = co;
    else this.#readers++;
    return true;
  }

  /** @internal */
  leave(write: boolean): void {
    if (write) this.#writer = undefined;
    else this.#readers--;
    this.dispatch();
  }

  /** @internal Admits waiters from the head: one writer, or every reader up to the next writer. */
  dispatch(): void {
    for (let first = this.waiters.first; first !== undefined && this.#writer === undefined; first = this.waiters.first) {
      if (first.write) {
        if (this.#readers > 0) return;
        this.waiters.shift();
        this.#writer = first.co;
        first.wake(undefined);
        return;
      }
      this.waiters.shift();
      this.#readers++;
      first.wake(undefined);
    }
  }
}
