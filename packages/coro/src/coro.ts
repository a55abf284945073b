// A coroutine: a generator driven by the run queue, with shrapnel's lifecycle.
import {
  CoroutineShutdownError,
  DeadCoroutineError,
  InvalidArgumentError,
  ScheduleError,
  Shutdown,
  checkFunction,
  checkInteger,
} from './errors.js';
import { describe } from './describe.js';
import { notifyException } from './exception-notifier.js';
import { type Operation, PARKED_RESULT, Suspension } from './operation.js';
import { enqueue, kick, nextId, rt, soon } from './runtime.js';

const NEW = 0;
const SCHEDULED = 1;
const RUNNING = 2;
const PARKED = 3;
const DEAD = 4;

const NO_ARGS: readonly unknown[] = [];
/** Marks a coroutine started with one argument: it waits in #resume until the first slice, so spawn()'s rest array need not be kept (and can be optimized away). */
const ONE_ARG: readonly unknown[] = [];

/** Something told when a coroutine ends (internal). */
interface Joiner {
  ended(co: Coro): void;
}

/** The function a coroutine runs: a generator function, or any function returning an operation. */
export type CoroFunction<A extends readonly unknown[], T> = (...args: A) => Operation<T>;

/**
 * A cooperative thread: a generator resumed by the run queue until it returns, throws or is shut down.
 * Create one with {@link spawn} (started at once) or {@link newCoro} (started by `start()`).
 *
 * States: new (not started) → scheduled ⇄ running ⇄ parked (suspended in an operation) → dead.
 *
 * @example
 * import { spawn, sleep, toPromise } from '@x/coro';
 * const worker = spawn(function* (ms: number) {
 *   yield* sleep(ms);
 *   return 'done';
 * }, 10);
 * console.log(worker.id, worker.name, await toPromise(worker.join())); // 1 'coro 1' 'done'
 */
export class Coro<T = unknown> {
  // Public fields are declared and every field is assigned in the constructor, not initialized as class
  // fields: field initializers made spawn() measurably slower.
  /** A unique number among live coroutines (shrapnel's rule: counts up, wraps at 2^31-1, skips live ids). */
  declare readonly id: number;
  /** @internal The time the last slice ended (performance.now() ms). */
  declare parkedAt: number;
  /** @internal Synchronous completions left before a forced yield. */
  declare selfishActs: number;
  /** @internal The budget `selfishActs` is reset to. */
  declare maxSelfishActs: number;
  /** @internal The operation it is suspended in (set by the operation when it parks). */
  declare park: Suspension | undefined;
  /** @internal Links of allThreads. */
  declare prevLive: Coro | undefined;
  /** @internal */
  declare nextLive: Coro | undefined;
  /** @internal ThreadLocal slots. */
  declare locals: unknown[] | undefined;
  /** @internal Errors are reported to the exception notifier (false when the outcome goes to a promise or inParallel). */
  declare reportErrors: boolean;

  #state: number;
  readonly #fn: CoroFunction<readonly unknown[], T>;
  #args: readonly unknown[] | undefined;
  #name: string | undefined;
  #gen: Iterator<Suspension, T, unknown> | undefined;
  /** What the next slice resumes with (a value, or the error to throw when #hasError); once dead, the result. */
  #resume: unknown;
  #hasError: boolean;
  /** An interruption raised by the coroutine in itself, delivered at its next suspension point. */
  #pending: unknown;
  /** One joiner on its own (the common case: no array), or several. */
  #joiners: Joiner | Joiner[] | undefined;
  #abort: AbortController | undefined;
  /** 0 returned, 1 failed, 2 shut down (set when dead). */
  #outcome: number;

  /** @internal Use spawn() or newCoro(). */
  constructor(fn: CoroFunction<readonly unknown[], T>, args: readonly unknown[], arg?: unknown) {
    (this as { id: number }).id = nextId();
    this.parkedAt = 0;
    this.selfishActs = this.maxSelfishActs = rt.selfishness;
    this.park = undefined;
    this.prevLive = undefined;
    this.nextLive = undefined;
    this.locals = undefined;
    this.reportErrors = true;
    this.#state = NEW;
    this.#fn = fn;
    this.#args = args === ONE_ARG || args.length > 0 ? args : NO_ARGS;
    this.#name = undefined;
    this.#gen = undefined;
    this.#resume = arg;
    this.#hasError = false;
    this.#pending = undefined;
    this.#joiners = undefined;
    this.#abort = undefined;
    this.#outcome = 0;
    rt.threads.add(this);
  }

  /** A name for where()/whereAll() and reports: the function's name unless set; `coro <id>` for anonymous functions. */
  get name(): string {
    return this.#name ?? (this.#fn.name || `coro ${this.id}`);
  }

  set name(name: string) {
    if (typeof name !== 'string') throw new InvalidArgumentError('name', 'a string', name);
    this.#name = name;
  }

  /** @internal The function the coroutine runs, for the profiler. */
  get fnName(): string {
    return this.#fn.name || 'anonymous';
  }

  /** True once the coroutine has been started (by spawn() or start()). */
  get started(): boolean {
    return this.#state !== NEW;
  }

  /** True once it has returned, thrown or been shut down. */
  get dead(): boolean {
    return this.#state === DEAD;
  }

  /** True while it is the coroutine running right now. */
  get running(): boolean {
    return this.#state === RUNNING;
  }

  /** The operation it is suspended in, if it is parked or woken but not yet resumed. */
  get suspendedIn(): Suspension | undefined {
    return this.#state === PARKED || this.#state === SCHEDULED ? this.park : undefined;
  }

  /**
   * Schedules the coroutine to run. It runs from a microtask when started from plain code, or after the
   * coroutines already queued when started from a coroutine.
   *
   * @throws {ScheduleError} `ERR_X_CORO_SCHEDULE` if it was already started (or shut down before starting).
   */
  start(): this {
    if (this.#state !== NEW) {
      throw new ScheduleError(`${this.#label()} was already started; a coroutine runs once. Use newCoro() again for another run.`);
    }
    this.#schedule();
    soon();
    return this;
  }

  /**
   * Waits until the coroutine ends and gives its return value.
   *
   * @throws the coroutine's own error if it failed.
   * @throws {CoroutineShutdownError} `ERR_X_CORO_SHUT_DOWN` if it was shut down before returning.
   * @throws {ScheduleError} `ERR_X_CORO_SCHEDULE` when a coroutine joins itself.
   * @example
   * import { spawn, toPromise } from '@x/coro';
   * const child = spawn(function* () { return 42; });
   * const answer: number = await toPromise(child.join());
   */
  join(): Operation<T> {
    return new Join<T>(this);
  }

  /**
   * Ends the coroutine: `Shutdown` is thrown at its suspension point, its `finally` blocks run, and it
   * ends quietly. A coroutine not yet started never runs. Never throws; does nothing to a dead coroutine.
   *
   * @example
   * import { sleep, spawn } from '@x/coro';
   * const ticker = spawn(function* () { for (;;) yield* sleep(1_000); });
   * ticker.shutdown();
   */
  shutdown(): void {
    if (this.#state === DEAD) return;
    if (this.#state === NEW) {
      this.#args = undefined;
      this.#die(2, undefined);
      return;
    }
    this.interrupt(new Shutdown(), true);
  }

  /**
   * Throws `error` into the coroutine at its suspension point (an `Interrupted` unless you have a reason
   * for another error). With `force` (the default) a pending wakeup is overridden: the operation it was
   * woken from gives back what it was handed (a popped item, a permit). Raised by a coroutine in itself,
   * the error arrives at its next suspension point.
   *
   * @throws {DeadCoroutineError} `ERR_X_CORO_DEAD` if the coroutine has ended.
   * @throws {ScheduleError} `ERR_X_CORO_SCHEDULE` if it has not been started.
   * @example
   * import { Interrupted, sleep, spawn } from '@x/coro';
   * const sleeper = spawn(function* () { yield* sleep(60_000); });
   * setTimeout(() => sleeper.raiseException(new Interrupted('wake up')), 10);
   */
  raiseException(error: unknown, options: { force?: boolean } = {}): void {
    if (this.#state === DEAD) throw new DeadCoroutineError(this.#label());
    if (this.#state === NEW) throw new ScheduleError(`${this.#label()} has not been started; start() it first, or shutdown() to cancel it.`);
    const force = options.force ?? true;
    if (typeof force !== 'boolean') throw new InvalidArgumentError('options.force', 'a boolean', force);
    this.interrupt(error, force);
  }

  /** Describes where the coroutine is: the operation it waits in and for how long. See {@link where}. */
  where(): string {
    return describe(this, rt.clock);
  }

  /**
   * Sets how many operations this coroutine may complete synchronously in a row before it is made to
   * yield to the others (default: `setSelfishness()`, 4). Returns the previous value.
   *
   * @param acts 1 to 32768.
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for anything else.
   */
  setMaxSelfishActs(acts: number): number {
    checkInteger('acts', acts, 1, 32768);
    const previous = this.maxSelfishActs;
    this.maxSelfishActs = acts;
    if (this.selfishActs > acts) this.selfishActs = acts;
    return previous;
  }

  /** An AbortSignal aborted when the coroutine is interrupted or ends (created on first use). */
  get signal(): AbortSignal {
    this.#abort ??= new AbortController();
    if (this.#state === DEAD && !this.#abort.signal.aborted) this.#abort.abort(new DeadCoroutineError(this.#label()));
    return this.#abort.signal;
  }

  toString(): string {
    return `<Coro ${this.id} ${JSON.stringify(this.name)}>`;
  }

  /** @internal The return value of a dead coroutine, or its error thrown. */
  outcome(): T {
    if (this.#outcome === 0) return this.#resume as T;
    if (this.#outcome === 2) throw new CoroutineShutdownError(String(this));
    throw this.#resume;
  }

  /** @internal Registers something to be told when the coroutine ends (told at once if it has). */
  addJoiner(joiner: Joiner): void {
    const joiners = this.#joiners;
    if (this.#state === DEAD) joiner.ended(this);
    else if (joiners === undefined) this.#joiners = joiner;
    else if (Array.isArray(joiners)) joiners.push(joiner);
    else this.#joiners = [joiners, joiner];
  }

  /** @internal */
  removeJoiner(joiner: Joiner): void {
    const joiners = this.#joiners;
    if (joiners === joiner) this.#joiners = undefined;
    else if (Array.isArray(joiners)) {
      const index = joiners.indexOf(joiner);
      if (index >= 0) joiners.splice(index, 1);
    }
  }

  /**
   * @internal Wakes the coroutine with a value from the operation it is parked in. An interruption
   * already queued wins: the operation's throw() then gives back what this wakeup handed over.
   */
  resume(value: unknown): void {
    if (this.#hasError) return;
    this.#resume = value;
    this.#schedule();
    kick();
  }

  /** @internal Wakes the coroutine by throwing at its suspension point (unless an interruption is already queued). */
  resumeThrow(error: unknown): void {
    if (this.#hasError) return;
    this.#resume = error;
    this.#hasError = true;
    this.#schedule();
    kick();
  }

  /** @internal Puts the running coroutine at the back of the queue (a forced or voluntary yield). */
  yieldSlice(): void {
    this.#schedule();
  }

  /**
   * @internal Delivers an interruption. Returns false when it could not be delivered now (the coroutine is
   * already woken and `force` is false): the timebomb's case, which retries on the next pass.
   */
  interrupt(error: unknown, force: boolean): boolean {
    switch (this.#state) {
      case DEAD:
        return true;
      case RUNNING:
        this.#pending = error;
        return true;
      case SCHEDULED:
        if (!force) return false;
        this.#resume = error;
        this.#hasError = true;
        this.#abort?.abort(error);
        return true;
      case PARKED:
        this.#abort?.abort(error);
        this.resumeThrow(error);
        return true;
      default: // NEW: shutdown() handles it; raiseException refuses it
        return false;
    }
  }

  /** @internal Withdraws an interruption raised in itself that has not been delivered yet. */
  withdraw(error: unknown): void {
    if (this.#pending === error) this.#pending = undefined;
  }

  #schedule(): void {
    if (this.#state === SCHEDULED) return;
    if (this.#state === DEAD) throw new ScheduleError(`${this.#label()} is dead and cannot be resumed. This is a bug in @x/coro.`);
    this.#state = SCHEDULED;
    enqueue(this);
  }

  /** @internal One slice: resume the generator until it parks or ends. Called only by the drain. */
  run(): void {
    if (this.#state !== SCHEDULED) return;
    let gen = this.#gen;
    const hasError = this.#hasError;
    const resume = this.#resume;
    this.#hasError = false;
    this.#resume = undefined;
    this.#state = RUNNING;
    this.park = undefined;
    rt.current = this;
    let step: IteratorResult<Suspension, T>;
    try {
      if (gen === undefined) {
        if (hasError) throw resume; // interrupted before its first slice: the body never runs
        const args = this.#args!;
        this.#args = undefined;
        const fn = this.#fn;
        // With ONE_ARG, what #resume held until now is the argument.
        const op = args === ONE_ARG ? fn(resume) : args.length === 0 ? fn() : args.length === 1 ? fn(args[0]) : fn(...args);
        gen = this.#gen = op[Symbol.iterator]();
        step = gen.next(undefined);
      } else step = hasError ? gen.throw!(resume) : gen.next(resume);
    } catch (thrown) {
      rt.current = undefined;
      this.#die(thrown instanceof Shutdown ? 2 : 1, thrown);
      return;
    }
    rt.current = undefined;
    if (step.done) {
      this.#die(0, step.value);
      return;
    }
    // Operations park through the shared PARKED_RESULT (one comparison for the common case); any other
    // result is a plain `yield`, of anything, unless an operation parked and a wrapper re-made the result.
    if (step !== PARKED_RESULT && (step.value !== undefined || this.park === undefined)) {
      this.park = undefined;
      this.#state = PARKED;
      this.resumeThrow(new TypeError(`${this.#label()} yielded ${String(step.value)}: use \`yield*\` with an operation, not \`yield\`.`));
      return;
    }
    if (this.#state === RUNNING) this.#state = PARKED;
    if (this.#pending !== undefined) {
      const pending = this.#pending;
      this.#pending = undefined;
      this.interrupt(pending, true);
    }
  }

  #die(outcome: number, result: unknown): void {
    this.#state = DEAD;
    this.#outcome = outcome;
    this.#gen = undefined;
    this.park = undefined;
    this.#pending = undefined;
    this.locals = undefined;
    this.#resume = result;
    rt.threads.delete(this);
    if (this.#abort && !this.#abort.signal.aborted) this.#abort.abort(outcome === 0 ? new DeadCoroutineError(this.#label()) : result);
    if (outcome === 1 && this.reportErrors) notifyException(this, result);
    const joiners = this.#joiners;
    this.#joiners = undefined;
    if (Array.isArray(joiners)) for (const joiner of joiners) joiner.ended(this);
    else joiners?.ended(this);
    rt.onDeath?.(rt.threads.size);
  }

  #label(): string {
    return `coroutine ${this.id} ${JSON.stringify(this.name)}`;
  }
}

/** Waits for a coroutine to end (Coro.join). */
class Join<T> extends Suspension<T> implements Joiner {
  readonly #target: Coro<T>;

  constructor(target: Coro<T>) {
    super();
    this.#target = target;
  }

  describe(): string {
    return `join(${this.#target})`;
  }

  protected attempt(co: Coro): boolean {
    const target = this.#target;
    if (target === co) throw new ScheduleError(`${target} tried to join itself, which would wait forever.`);
    if (!target.dead) {
      target.addJoiner(this);
      return false;
    }
    this.result = target.outcome();
    return true;
  }

  protected cancel(): void {
    this.#target.removeJoiner(this);
  }

  ended(target: Coro): void {
    try {
      this.wake(target.outcome());
    } catch (error) {
      this.fail(error);
    }
  }
}

/**
 * Creates a coroutine that runs `fn(...args)` and starts it. From plain code it first runs in a
 * microtask; from a coroutine, after the coroutines already queued.
 *
 * @param fn a generator function (or any function returning an operation).
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` if `fn` is not a function.
 * @example
 * import { sleep, spawn } from '@x/coro';
 * spawn(function* (greeting: string) {
 *   yield* sleep(100);
 *   console.log(greeting);
 * }, 'hello');
 */
export function spawn<A extends readonly unknown[], T>(fn: CoroFunction<A, T>, ...args: A): Coro<T> {
  return create(fn, args).start();
}

/**
 * Creates a coroutine that will run `fn(...args)` once `start()` is called (shrapnel's `new`).
 *
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` if `fn` is not a function.
 * @example
 * import { newCoro } from '@x/coro';
 * const co = newCoro(function* () { return 1; });
 * co.name = 'one';
 * co.start();
 */
export function newCoro<A extends readonly unknown[], T>(fn: CoroFunction<A, T>, ...args: A): Coro<T> {
  return create(fn, args);
}

/** A new coroutine for spawn() and newCoro(); one argument travels without its rest array (see ONE_ARG). */
function create<A extends readonly unknown[], T>(fn: CoroFunction<A, T>, args: A): Coro<T> {
  checkFunction('fn', fn);
  const body = fn as unknown as CoroFunction<readonly unknown[], T>;
  return args.length === 1 ? new Coro<T>(body, ONE_ARG, args[0]) : new Coro<T>(body, args);
}

/**
 * The coroutine running now, or undefined in plain code (shrapnel's `current()`).
 *
 * @example
 * import { current, spawn } from '@x/coro';
 * spawn(function* () { console.log(current()?.id); });
 */
export function current(): Coro | undefined {
  return rt.current as Coro | undefined;
}

/**
 * Every live coroutine by id (shrapnel's `all_threads`), in creation order; read-only.
 *
 * @example
 * import { allThreads } from '@x/coro';
 * for (const [id, co] of allThreads) console.log(id, co.name, co.where());
 */
export const allThreads: ReadonlyMap<number, Coro> = rt.threads as unknown as ReadonlyMap<number, Coro>;
