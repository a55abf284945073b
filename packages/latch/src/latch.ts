import { watchInterrupts } from './interrupt.js';
import { allocate, CLOSED, COUNT, handleOf, LOCK, open, type LatchHandle, type Memory } from './layout.js';
import { lock, unlock } from './mutex.js';
import { decode } from './codec.js';
import { encode, GetOperation, PutOperation, tryAppend, tryTake, type Operation } from './operations.js';
import {
  latchOptions,
  waitOptions,
  type AsyncWaitOptions,
  type GetOptions,
  type LatchOptions,
  type PutOptions,
} from './options.js';
import { waitAsync, waitSync } from './wait.js';
import { available, closeAll } from './waiters.js';

/** Drives an operation with blocking waits; on the main thread they watch the interrupt word. */
function runSync<R>(words: Int32Array, operation: Operation<R>, timeout: number): R {
  const deadline = performance.now() + timeout;
  const watch = watchInterrupts();
  for (;;) {
    const step = operation.attempt();
    if (step.done) return step.value;
    const end = waitSync(words, step.index, step.expected, deadline, watch);
    if (end !== 'woken') return operation.giveUp(end);
  }
}

/** Drives an operation with waits that leave the event loop running. */
async function runAsync<R>(
  words: Int32Array,
  operation: Operation<R>,
  timeout: number,
  signal: AbortSignal | undefined,
): Promise<R> {
  const deadline = performance.now() + timeout;
  for (;;) {
    const step = operation.attempt();
    if (step.done) return step.value;
    const end = await waitAsync(words, step.index, step.expected, deadline, signal);
    if (end !== 'woken') return operation.giveUp(end, signal?.reason);
  }
}

/**
 * A queue shared by the main thread and any number of worker threads, after mitogen's Latch: values are
 * structured-cloned into a bounded SharedArrayBuffer ring, getters sleep on their own futex word and are
 * served in arrival order, a value promised to a woken getter cannot be taken by another, `close()` wakes
 * every waiter in every thread, and a blocking wait on the main thread stays interruptible by Ctrl+C.
 *
 * Create it in one thread, send `latch.handle` to others (`workerData`, `postMessage`) and open it there
 * with `Latch.from(handle)`: all of them then share one queue.
 *
 * @typeParam T the type of the values; anything the structured clone algorithm accepts.
 * @example
 * import { Worker } from 'node:worker_threads';
 * import { Latch } from '@x/latch';
 *
 * const jobs = new Latch<number>();
 * const worker = new Worker(
 *   `const { Latch } = require('@x/latch');
 *    const { workerData } = require('node:worker_threads');
 *    const jobs = Latch.from(workerData);
 *    console.log('worker got', jobs.get());`,
 *   { eval: true, workerData: jobs.handle },
 * );
 * jobs.put(42);
 * worker.on('exit', () => jobs.close());
 */
const NO_LIMIT = { timeout: Infinity };

// Latch.from() hands the opened memory to the constructor through this variable.
let adopted: Memory | undefined;

export class Latch<T = unknown> {
  readonly #memory: Memory;
  /** Slot words a put must notify, reused so the common put allocates nothing. */
  readonly #wake: number[] = [];

  /**
   * Creates a latch with its own shared memory, of `capacity` bytes for queued values.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a capacity or waiterSlots out of range.
   */
  constructor(options?: LatchOptions) {
    if (adopted) {
      this.#memory = adopted;
      adopted = undefined;
      return;
    }
    const { capacity, waiterSlots } = latchOptions(options);
    this.#memory = allocate(capacity, waiterSlots);
  }

  /**
   * Opens, in this thread, the latch that `handle` (another thread's `latch.handle`) names.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` when `handle` is not a latch's handle.
   * @example
   * import { workerData } from 'node:worker_threads';
   * import { Latch } from '@x/latch';
   * const results = Latch.from<string>(workerData.results);
   * results.put('done');
   */
  static from<T>(handle: LatchHandle<T>): Latch<T> {
    adopted = open(handle);
    return new Latch<T>();
  }

  /** The structured-cloneable handle to send to another thread, which opens it with `Latch.from(handle)`. */
  get handle(): LatchHandle<T> {
    return handleOf<T>(this.#memory);
  }

  /** The ring's size in bytes: the most memory queued values can take. */
  get capacity(): number {
    return this.#memory.capacity;
  }

  /**
   * How many values are in the ring, including any already promised to a woken getter. A snapshot:
   * other threads may change it at any moment.
   */
  get size(): number {
    return Atomics.load(this.#memory.words, COUNT);
  }

  /** Whether `close()` was called, in any thread. */
  get closed(): boolean {
    return Atomics.load(this.#memory.words, CLOSED) === 1;
  }

  /**
   * Whether a `get` now would have to wait: no value is in the ring that is not already promised to a
   * woken getter. As with mitogen's `empty()`, another thread may change the answer at once.
   */
  empty(): boolean {
    return !available(this.#memory);
  }

  /**
   * Queues a copy of `value` (structured clone), waking the getter that has waited longest. When the ring
   * is full it blocks the calling thread until there is room; nothing is ever dropped. On the main thread
   * the wait stays interruptible (see `get`).
   *
   * @param value anything the structured clone algorithm accepts.
   * @param options.timeout the longest to wait for room, in milliseconds (no limit by default).
   * @throws {LatchClosedError} `ERR_X_LATCH_CLOSED` when the latch is or gets closed.
   * @throws {LatchValueTooLargeError} `ERR_X_LATCH_VALUE_TOO_LARGE` when the value can never fit.
   * @throws {TimeoutError} `ERR_X_LATCH_TIMEOUT` when the ring stayed full for `timeout` ms.
   * @throws {Interrupted} `ERR_X_LATCH_INTERRUPTED` on the main thread, when SIGINT/SIGTERM arrives.
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a value that cannot be cloned or bad options.
   * @example
   * import { Latch } from '@x/latch';
   * const latch = new Latch<{ id: number }>();
   * latch.put({ id: 1 });
   */
  put(value: T, options?: PutOptions): void {
    const memory = this.#memory;
    const { timeout } = options === undefined ? NO_LIMIT : waitOptions(options, {});
    const bytes = encode(memory, value);
    if (tryAppend(memory, bytes, this.#wake)) return;
    runSync(memory.words, new PutOperation(memory, bytes, timeout), timeout);
  }

  /**
   * Queues a copy of `value` like `put`, but waits for room without blocking the event loop.
   *
   * @param options.timeout the longest to wait for room, in milliseconds (no limit by default).
   * @param options.signal ends the wait early: the promise rejects with `signal.reason`.
   * @throws (rejects) the errors of `put`, but never `Interrupted`.
   * @example
   * import { Latch } from '@x/latch';
   * const latch = new Latch<string>({ capacity: 64 });
   * await latch.putAsync('hello', { timeout: 1000 });
   */
  async putAsync(value: T, options?: AsyncWaitOptions): Promise<void> {
    const { timeout, signal } = waitOptions(options, { signal: true });
    const memory = this.#memory;
    // The encoded bytes must outlive other puts made while this one waits.
    const bytes = encode(memory, value, true);
    return runAsync(memory.words, new PutOperation(memory, bytes, timeout), timeout, signal);
  }

  /**
   * Takes the oldest value, blocking the calling thread (main thread included) until one arrives. Getters
   * are served in the order they began to wait, and a value promised to a woken getter is never taken by
   * another. A put wakes the getter at once; a timeout ends the wait no earlier than `timeout` ms.
   *
   * On the main thread, when the application handles SIGINT/SIGTERM through @x/signals, the wait sleeps
   * in slices of at most 50 ms and throws `Interrupted` within 50 ms of such a signal.
   *
   * @param options.timeout the longest to wait, in milliseconds (no limit by default; 0 never waits).
   * @param options.block `false` never waits (as `timeout: 0`).
   * @throws {TimeoutError} `ERR_X_LATCH_TIMEOUT` when no value came within `timeout` ms.
   * @throws {LatchClosedError} `ERR_X_LATCH_CLOSED` when the latch is or gets closed.
   * @throws {Interrupted} `ERR_X_LATCH_INTERRUPTED` on the main thread, when SIGINT/SIGTERM arrives.
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for bad options.
   * @example
   * import { Latch, TimeoutError } from '@x/latch';
   * const latch = new Latch<number>();
   * latch.put(1);
   * console.log(latch.get({ timeout: 100 }));
   * try { latch.get({ block: false }); } catch (error) { console.log(error instanceof TimeoutError); }
   */
  get(options?: GetOptions): T {
    const memory = this.#memory;
    const { timeout } = options === undefined ? NO_LIMIT : waitOptions(options, { block: true });
    const bytes = tryTake(memory);
    if (bytes) return decode(bytes) as T;
    return runSync(memory.words, new GetOperation<T>(memory, timeout), timeout);
  }

  /**
   * Takes the oldest value like `get`, but waits without blocking the event loop (Atomics.waitAsync).
   * While it waits it keeps the event loop alive, as a timer would.
   *
   * @param options.timeout the longest to wait, in milliseconds (no limit by default).
   * @param options.signal ends the wait early: the promise rejects with `signal.reason`.
   * @throws (rejects) {TimeoutError} `ERR_X_LATCH_TIMEOUT`, {LatchClosedError} `ERR_X_LATCH_CLOSED`,
   *   `signal.reason` on abort, {InvalidArgumentError} `ERR_X_INVALID_ARG` for bad options.
   * @example
   * import { Latch } from '@x/latch';
   * const latch = new Latch<string>();
   * setTimeout(() => latch.put('later'), 10);
   * console.log(await latch.getAsync({ timeout: 1000 }));
   */
  async getAsync(options?: AsyncWaitOptions): Promise<T> {
    const { timeout, signal } = waitOptions(options, { signal: true });
    return runAsync(this.#memory.words, new GetOperation<T>(this.#memory, timeout), timeout, signal);
  }

  /**
   * Closes the latch for every thread that shares it: each waiting `get`, `getAsync`, `put` and
   * `putAsync`, in any thread, wakes with `LatchClosedError`, and so does every later call. Values still
   * queued are discarded. Calling it again does nothing.
   *
   * @example
   * import { Latch } from '@x/latch';
   * const latch = new Latch();
   * latch.close();
   * console.log(latch.closed);
   */
  close(): void {
    const { words } = this.#memory;
    const wake: number[] = [];
    lock(words, LOCK);
    try {
      if (words[CLOSED]) return;
      words[CLOSED] = 1;
      closeAll(this.#memory, wake);
    } finally {
      unlock(words, LOCK);
      for (const index of wake) Atomics.notify(words, index);
    }
  }
}
