// What coroutines run: operations used with `yield*`, and the suspension points at their leaves.
import { NotInCoroutineError } from './errors.js';
import { rt } from './runtime.js';
import type { Coro } from './coro.js';

/**
 * Something a coroutine runs with `yield*`, giving `T` to the caller: a generator function's result
 * (`function* (): Operation<number> { ... }`) or one of this package's operations (`sleep(10)`,
 * `fifo.pop()`). Like a generator object, an operation is used once; call the function again to run it again.
 *
 * @example
 * import { type Operation, sleep } from '@x/coro';
 * function* slowDouble(n: number): Operation<number> {
 *   yield* sleep(10);
 *   return n * 2;
 * }
 */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<Suspension, T, unknown>;
}

/** The result type of an operation: `Result<typeof op>`. */
export type Result<O> = O extends Operation<infer T> ? T : never;

const FRESH = 0;
const SLICE = 1; // a forced yield (selfishness); the attempt is made when resumed
const PARKED = 2;
const WOKEN = 3; // woken with a value, not yet resumed
const DONE = 4;
const FAILED = 5; // woken with an error: nothing was handed over

/** The key of a suspension's state: private to this module, like a #field, but cheaper to create. */
const STATE: unique symbol = Symbol('state');

const debugFrames = { stack: '' };
/** Where each suspension was started, kept only while debug stacks are on. */
const stacks = new WeakMap<Suspension, string>();

/**
 * What every parking `next()` returns: one shared, frozen result. `yield*` hands an inner result to the
 * driver unchanged, so the driver finds the operation in the coroutine (`co.park`), not in the result.
 */
export const PARKED_RESULT: IteratorYieldResult<Suspension> = Object.freeze({ done: false, value: undefined as unknown as Suspension });

/**
 * A leaf operation: the point where a coroutine suspends. Subclasses say how to complete at once
 * (`attempt`), how to stop waiting when interrupted (`cancel`), how to give back what they were handed
 * if the interruption came after the wakeup (`undo`), and what they wait for (`describe`).
 *
 * It is its own iterator, so `yield* op` allocates no generator: the first `next()` attempts, parks if
 * it must, and the resume `next(value)` returns the value. Interruption reaches it as `throw(error)`.
 *
 * @example
 * import { type Coro, Suspension, spawn } from '@x/coro';
 * // Waits for the next 'tick' event of an emitter.
 * class NextTick extends Suspension<number> {
 *   constructor(private emitter: import('node:events').EventEmitter) { super(); }
 *   #listener = (n: number) => this.wake(n);
 *   describe() { return 'NextTick'; }
 *   protected attempt(_co: Coro) { this.emitter.once('tick', this.#listener); return false; }
 *   protected cancel() { this.emitter.off('tick', this.#listener); }
 * }
 */
export abstract class Suspension<T = unknown> implements Iterator<Suspension, T, unknown>, Operation<T> {
  // Fields are declared and assigned in the constructor rather than initialized as class fields, and the
  // state is keyed by a module-private symbol rather than a #private field: in a subclass chain both cost
  // a separate initializer per level, which made a Fifo.pop() about a third more expensive.
  /** The coroutine waiting in it, once it has parked. */
  declare co: Coro | undefined;
  /** Where the operation was started, when debug stacks are on. */
  get stack(): string | undefined {
    return stacks.get(this);
  }
  /** Whether a forced yield (selfishness) may come before it: true for operations that can complete at once. */
  protected get selfish(): boolean {
    return false;
  }
  /** FRESH … FAILED. */
  declare [STATE]: number;
  /** The value of a synchronous completion, or what a wakeup handed over. */
  protected declare result: unknown;

  constructor() {
    this.co = undefined;
    this[STATE] = FRESH;
    this.result = undefined;
  }

  /** What the coroutine waits for, for where(): e.g. `sleep(50)`, `Fifo.pop`. */
  abstract describe(): string;

  /** Completes at once if it can, returning true (the result goes in `this.result`); otherwise registers to be woken and returns false. May throw. */
  protected abstract attempt(co: Coro): boolean;

  /** Stops waiting: removes the waiter from whatever it was registered with. */
  protected cancel(): void {}

  /** Gives back what a wakeup handed over (a popped item, granted permits), when an interruption arrived before the coroutine ran. */
  protected undo(_value: unknown): void {}

  [Symbol.iterator](): this {
    return this;
  }

  next(value?: unknown): IteratorResult<Suspension, T> {
    const state = this[STATE];
    if (state === PARKED || state === WOKEN) {
      this[STATE] = DONE;
      this.co = undefined;
      return { done: true, value: value as T };
    }
    if (state >= DONE) return { done: true, value: undefined as T };
    const co = rt.current as Coro | undefined;
    if (co === undefined) throw new NotInCoroutineError(this.describe());
    // The rare condition first: this test runs for every operation.
    if (co.selfishActs <= 0 && state === FRESH && this.selfish) {
      co.selfishActs = co.maxSelfishActs;
      this[STATE] = SLICE;
      this.co = co;
      co.park = this;
      co.yieldSlice();
      return PARKED_RESULT;
    }
    if (this.attempt(co)) {
      co.selfishActs--;
      this[STATE] = DONE;
      this.co = undefined;
      return { done: true, value: this.result as T };
    }
    this[STATE] = PARKED;
    this.co = co;
    co.park = this;
    co.selfishActs = co.maxSelfishActs;
    if (rt.debugStacks) {
      Error.captureStackTrace(debugFrames, Suspension.prototype.next);
      stacks.set(this, debugFrames.stack);
    }
    return PARKED_RESULT;
  }

  throw(error: unknown): IteratorResult<Suspension, T> {
    this.#leave();
    throw error;
  }

  return(value?: unknown): IteratorResult<Suspension, T> {
    this.#leave();
    return { done: true, value: value as T };
  }

  #leave(): void {
    const state = this[STATE];
    this[STATE] = DONE;
    this.co = undefined;
    if (state === PARKED) this.cancel();
    else if (state === WOKEN) this.undo(this.result);
  }

  /** True while a coroutine is parked here and has not been woken. */
  get waiting(): boolean {
    return this[STATE] === PARKED;
  }

  /** Wakes the parked coroutine with `value` (ignored unless it is still waiting). */
  wake(value: unknown): void {
    if (this[STATE] !== PARKED) return;
    this[STATE] = WOKEN;
    this.result = value;
    this.co!.resume(value);
  }

  /** Wakes the parked coroutine by throwing `error` at its suspension point. */
  fail(error: unknown): void {
    if (this[STATE] !== PARKED) return;
    this[STATE] = FAILED;
    this.co!.resumeThrow(error);
  }
}

/** An operation that completes at once with what `fn` computes for the calling coroutine. */
export class Immediate<T> extends Suspension<T> {
  readonly #fn: (co: Coro) => T;
  readonly #name: string;

  constructor(name: string, fn: (co: Coro) => T) {
    super();
    this.#name = name;
    this.#fn = fn;
  }

  describe(): string {
    return this.#name;
  }

  protected attempt(co: Coro): boolean {
    this.result = this.#fn(co);
    return true;
  }
}
