import { constants } from 'node:os';
import { brandClass } from './brand.js';

/**
 * Thrown by every operation on a latch that `close()` was called on, in every thread that shares it,
 * including the waiters that were asleep when it closed.
 *
 * @example
 * import { Latch, LatchClosedError } from '@x/latch';
 * const latch = new Latch<number>();
 * latch.close();
 * try { latch.get(); } catch (error) { console.log(error instanceof LatchClosedError, (error as LatchClosedError).code); }
 */
export class LatchClosedError extends Error {
  readonly code = 'ERR_X_LATCH_CLOSED';
  /** The operation that was refused or woken: `'get'` or `'put'`. */
  readonly operation: 'get' | 'put';

  constructor(operation: 'get' | 'put') {
    super(
      `Cannot ${operation}: the latch was closed. close() is final for every thread sharing the latch; ` +
        'create a new Latch (and send its handle) if the work should go on.',
    );
    this.operation = operation;
  }
}
brandClass(LatchClosedError, 'LatchClosedError');

/**
 * Thrown when a wait with a `timeout` ends without a value (`get`) or without room (`put`). Never thrown
 * before the timeout has passed; `get({ block: false })` and `timeout: 0` throw it at once when empty.
 *
 * @example
 * import { Latch, TimeoutError } from '@x/latch';
 * try { new Latch<number>().get({ timeout: 10 }); } catch (error) { console.log(error instanceof TimeoutError); }
 */
export class TimeoutError extends Error {
  readonly code = 'ERR_X_LATCH_TIMEOUT';
  /** The operation that timed out: `'get'` or `'put'`. */
  readonly operation: 'get' | 'put';
  /** The timeout that passed, in milliseconds. */
  readonly timeout: number;

  constructor(operation: 'get' | 'put', timeout: number) {
    super(
      operation === 'get'
        ? `No value arrived within ${timeout} ms. Give a longer timeout, or check that a producer is running.`
        : `The latch stayed full for ${timeout} ms. Give a longer timeout, a larger capacity, or more consumers.`,
    );
    this.operation = operation;
    this.timeout = timeout;
  }
}
brandClass(TimeoutError, 'TimeoutError');

const signalNames = new Map<number, string>(
  Object.entries(constants.signals).map(([name, number]) => [number, name]),
);

/**
 * Thrown by a blocking `get()` or `put()` on the main thread when the process receives a signal that the
 * application handles through @x/signals (SIGINT, SIGTERM) while it waits, so Ctrl+C never hangs on a
 * latch. The wait ends within 50 ms of the signal; the signal's own handlers run once the thread returns
 * to the event loop.
 *
 * @example
 * import { Interrupted, Latch } from '@x/latch';
 * try { new Latch<number>().get(); } catch (error) {
 *   if (error instanceof Interrupted) console.log(`stopped by ${error.signal}`);
 * }
 */
export class Interrupted extends Error {
  readonly code = 'ERR_X_LATCH_INTERRUPTED';
  /** The signal's number, e.g. 2; 0 when the interrupt word did not record one. */
  readonly signalNumber: number;
  /** The signal's identifier, e.g. `'SIGINT'`; `undefined` for a number this platform does not name. */
  readonly signal: string | undefined;

  constructor(operation: 'get' | 'put', signalNumber: number) {
    const signal = signalNames.get(signalNumber);
    super(
      `The blocking ${operation}() was interrupted by ${signal ?? `signal ${signalNumber}`}. ` +
        'The process is being asked to stop: let this error unwind so the signal handlers can run.',
    );
    this.signalNumber = signalNumber;
    this.signal = signal;
  }
}
brandClass(Interrupted, 'Interrupted');

/**
 * Thrown by `put` for a value whose serialized form cannot fit in the ring even when it is empty: it would
 * wait forever, so it is refused at once.
 *
 * @example
 * import { Latch, LatchValueTooLargeError } from '@x/latch';
 * try { new Latch({ capacity: 1024 }).put('x'.repeat(4096)); } catch (error) {
 *   console.log((error as LatchValueTooLargeError).size, (error as LatchValueTooLargeError).capacity);
 * }
 */
export class LatchValueTooLargeError extends RangeError {
  readonly code = 'ERR_X_LATCH_VALUE_TOO_LARGE';
  /** The size the value needs in the ring (serialized bytes plus the 4-byte record header), in bytes. */
  readonly size: number;
  /** The ring's capacity, in bytes. */
  readonly capacity: number;

  constructor(size: number, capacity: number) {
    super(
      `The value needs ${size} bytes once serialized but the latch holds at most ${capacity}. ` +
        'Create the latch with a larger `capacity`, or send the value in parts.',
    );
    this.size = size;
    this.capacity = capacity;
  }
}
brandClass(LatchValueTooLargeError, 'LatchValueTooLargeError');

/**
 * Thrown when an argument or option is of the wrong type or out of range, naming it, what was expected
 * and what was given.
 *
 * @example
 * import { InvalidArgumentError, Latch } from '@x/latch';
 * try { new Latch({ capacity: -1 }); } catch (error) { console.log((error as InvalidArgumentError).argument); }
 */
export class InvalidArgumentError extends TypeError {
  readonly code = 'ERR_X_INVALID_ARG';
  /** The name of the argument that was rejected, e.g. `'options.timeout'`. */
  readonly argument: string;

  constructor(argument: string, expected: string, value: unknown, options?: { cause?: unknown }) {
    super(`Expected \`${argument}\` to be ${expected}, got ${describe(value)}.`, options);
    this.argument = argument;
  }
}
brandClass(InvalidArgumentError, 'InvalidArgumentError');

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} (${typeof value})`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'no prototype'})` : String(value);
}
