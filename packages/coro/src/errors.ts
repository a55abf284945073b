// The errors @x/coro throws: one small class per failure, each with a stable `code`.

const brand = Symbol.for('@x/coro/error');

function show(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return `${JSON.stringify(value)} (string)`;
    case 'function':
      return `a function named ${JSON.stringify(value.name)}`;
    case 'bigint':
      return `${value}n (bigint)`;
    case 'object':
      return value === null ? 'null' : `${Object.prototype.toString.call(value)} (object)`;
    default:
      return `${String(value)} (${typeof value})`;
  }
}

function named<C extends { prototype: object }>(cls: C, name: string): C {
  Object.defineProperty(cls.prototype, 'name', { value: name, configurable: true, writable: true });
  return cls;
}

/**
 * The base of every error of @x/coro except the interruptions (`Interrupted` and its subclasses, which
 * are delivered into coroutines rather than thrown at callers). {@link isCoroError} recognises both across
 * installed copies of the package.
 *
 * @example
 * import { CoroError, Fifo } from '@x/coro';
 * try { new Fifo().pop()[Symbol.iterator]().next(); } catch (error) { console.log(error instanceof CoroError, (error as CoroError).code); }
 */
export class CoroError extends Error {
  /** A stable identifier of the failure, e.g. `ERR_X_CORO_SCHEDULE`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }
}
named(CoroError, 'CoroError');

/** An argument was rejected at the boundary: `argument` names it, `expected` says what was wanted, `value` is what came. */
export class InvalidArgumentError extends CoroError {
  readonly argument: string;
  readonly expected: string;
  readonly value: unknown;

  constructor(argument: string, expected: string, value: unknown) {
    super('ERR_X_INVALID_ARG', `Expected \`${argument}\` to be ${expected}, got ${show(value)}.`);
    this.argument = argument;
    this.expected = expected;
    this.value = value;
  }
}
named(InvalidArgumentError, 'InvalidArgumentError');

/**
 * Delivered into a coroutine at its suspension point (with `generator.throw()`) to stop what it is doing.
 * `tag` identifies who interrupted it: `withTimeout` compares it with its own token, so only the timeout
 * that fired turns an `Interrupted` into a `TimeoutError`. Code that catches errors broadly must rethrow
 * `Interrupted`, or the coroutine cannot be stopped.
 *
 * @example
 * import { Interrupted, sleep, spawn } from '@x/coro';
 * spawn(function* () {
 *   try {
 *     yield* sleep(1_000);
 *   } catch (error) {
 *     if (error instanceof Interrupted) throw error; // never swallow it
 *     console.error(error);
 *   }
 * });
 */
export class Interrupted extends Error {
  /** `ERR_X_CORO_INTERRUPTED`, or the subclass's code. */
  readonly code: string;
  /** Who sent the interruption (a `withTimeout` token, or what `raiseException` was given); undefined if nobody said. */
  readonly tag: unknown;

  constructor(tag?: unknown, message = 'The coroutine was interrupted at its suspension point.', code = 'ERR_X_CORO_INTERRUPTED') {
    super(message);
    this.code = code;
    this.tag = tag;
    Object.defineProperty(this, brand, { value: true });
  }
}
named(Interrupted, 'Interrupted');

/** `withTimeout(ms, op)`: `op` did not finish within `timeoutMs` milliseconds and was interrupted. */
export class TimeoutError extends Interrupted {
  /** The time limit that expired, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: ErrorOptions) {
    super(undefined, `The operation did not finish within ${timeoutMs} ms and was interrupted.`, 'ERR_X_CORO_TIMEOUT');
    this.timeoutMs = timeoutMs;
    if (options && 'cause' in options) Object.defineProperty(this, 'cause', { value: options.cause, configurable: true, writable: true });
  }
}
named(TimeoutError, 'TimeoutError');

/** `coro.shutdown()` was called: the coroutine runs its `finally` blocks and ends quietly (never reported as a failure). */
export class Shutdown extends Interrupted {
  constructor() {
    super(undefined, 'The coroutine was shut down; it runs its cleanup and ends.', 'ERR_X_CORO_SHUTDOWN');
  }
}
named(Shutdown, 'Shutdown');

/** A coroutine cannot be scheduled that way: started twice, joined by itself, or resumed while dead. */
export class ScheduleError extends CoroError {
  constructor(message: string) {
    super('ERR_X_CORO_SCHEDULE', message);
  }
}
named(ScheduleError, 'ScheduleError');

/** `raiseException()` on a coroutine that has already ended. */
export class DeadCoroutineError extends CoroError {
  constructor(what: string) {
    super('ERR_X_CORO_DEAD', `${what} has already ended; nothing can be raised in it. Check \`coro.dead\` first.`);
  }
}
named(DeadCoroutineError, 'DeadCoroutineError');

/** `join()` of a coroutine that was shut down before it returned a value. */
export class CoroutineShutdownError extends CoroError {
  constructor(what: string) {
    super(
      'ERR_X_CORO_SHUT_DOWN',
      `${what} was shut down before it returned a value. Catch CoroutineShutdownError where a joined coroutine may be shut down.`,
    );
  }
}
named(CoroutineShutdownError, 'CoroutineShutdownError');

/** A blocking operation or a `ThreadLocal` was used outside a coroutine. */
export class NotInCoroutineError extends CoroError {
  constructor(operation: string) {
    super(
      'ERR_X_CORO_NOT_IN_COROUTINE',
      `${operation} was used outside a coroutine. Run it inside one: spawn(function* () { ... }) or toPromise(op).`,
    );
  }
}
named(NotInCoroutineError, 'NotInCoroutineError');

/** One settled job of `inParallel`, in the shape of `Promise.allSettled`. */
export type ParallelResult<T = unknown> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

/** `inParallel` saw at least one job fail; `results` has every job's outcome, in the order given. */
export class InParallelError extends CoroError {
  readonly results: ParallelResult[];

  constructor(results: ParallelResult[]) {
    const failed = results.filter((result) => result.status === 'rejected').length;
    super(
      'ERR_X_CORO_IN_PARALLEL',
      `${failed} of ${results.length} parallel jobs failed. \`results\` holds every job's value or reason, in order.`,
      { cause: results.find((result) => result.status === 'rejected')?.reason },
    );
    this.results = results;
  }
}
named(InParallelError, 'InParallelError');

/** A function of @x/native that `waitpid` or `waitFor` needs is not available (addon not built, or too old). */
export class NativeUnavailableError extends CoroError {
  /** The @x/native function that was missing. */
  readonly function: string;

  constructor(fn: string, operation: string, cause?: unknown) {
    super(
      'ERR_X_CORO_NATIVE_UNAVAILABLE',
      `${operation} needs @x/native's ${fn}(), which is not available. Build the addon with ` +
        '`pnpm --filter @x/native rebuild`' +
        (operation.startsWith('waitpid') ? ', or pass a subprocess (anything with an `exited` promise) instead of a pid.' : '.'),
      cause === undefined ? undefined : { cause },
    );
    this.function = fn;
  }
}
named(NativeUnavailableError, 'NativeUnavailableError');

/** A second coroutine tried to wait on an fd another coroutine is already waiting on. */
export class SimultaneousWaitError extends CoroError {
  readonly fd: number;

  constructor(fd: number) {
    super(
      'ERR_X_CORO_SIMULTANEOUS_WAIT',
      `Another coroutine is already waiting on fd ${fd}. Let one coroutine own each fd, and pass it the work through a Fifo.`,
    );
    this.fd = fd;
  }
}
named(SimultaneousWaitError, 'SimultaneousWaitError');

/** `unlock()` of a Mutex, or the release of an RwLock, by a coroutine that does not hold it. */
export class NotOwnerError extends CoroError {
  constructor(what: string) {
    super('ERR_X_CORO_NOT_OWNER', `${what} is not held by the calling coroutine. Release a lock only from the coroutine that acquired it.`);
  }
}
named(NotOwnerError, 'NotOwnerError');

/**
 * True for every error of @x/coro (including `Interrupted`), from any installed copy of the package.
 *
 * @example
 * import { isCoroError } from '@x/coro';
 * process.on('uncaughtException', (error) => console.error(isCoroError(error) ? error.code : error));
 */
export function isCoroError(error: unknown): error is CoroError | Interrupted {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}

/** Throws `ERR_X_INVALID_ARG` unless `value` is a number of milliseconds >= 0 (Infinity allowed when `infinite`). */
export function checkMs(argument: string, value: unknown, infinite = true): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!infinite && !Number.isFinite(value))) {
    throw new InvalidArgumentError(argument, `a number of milliseconds >= 0${infinite ? ' (or Infinity)' : ''}`, value);
  }
  return value;
}

/** Throws `ERR_X_INVALID_ARG` unless `value` is an integer in [min, max]. */
export function checkInteger(argument: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(argument, `an integer from ${min} to ${max}`, value);
  }
  return value as number;
}

/** Throws `ERR_X_INVALID_ARG` unless `value` is a function. */
export function checkFunction<F>(argument: string, value: F): F {
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, 'a function', value);
  return value;
}
