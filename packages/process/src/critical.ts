import { endProcess } from './end.js';
import { exitStatus } from './exit-status.js';
import { InvalidArgumentError } from './errors.js';

const criticalBrand = Symbol.for('@x/process.Critical');

/**
 * A failure the program cannot go on after: raised by `critical(fn)` when `fn` fails (the failure is
 * its `cause`) and by `panic(message)`. It ends the process: the error is printed on stderr, the
 * `onExit` cleanup runs, and the status is `exitStatus.critical` (71).
 *
 * @example
 * import { Critical, critical } from '@x/process';
 * try {
 *   critical(() => JSON.parse('{'));
 * } catch (error) {
 *   console.log(error instanceof Critical, error.cause); // true SyntaxError… (the process is ending)
 * }
 */
export class Critical extends Error {
  readonly code = 'ERR_X_CRITICAL';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  /** True for a `Critical` from any loaded copy of this package. */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[criticalBrand] === true;
  }
}
Object.defineProperty(Critical.prototype, 'name', { value: 'Critical' });
Object.defineProperty(Critical.prototype, criticalBrand, { value: true });

/**
 * Calls `fn` and turns any failure (a throw, or a rejection of the promise it returns) into a `Critical`
 * that ends the process: for the calls a program cannot survive the failure of, such as loading its
 * configuration or a background task nobody awaits. The `Critical` is also thrown (or rejected) to the
 * caller, so the code after the call never runs on a failure.
 *
 * @returns what `fn` returns (a promise when it returns one).
 * @throws {Critical} `ERR_X_CRITICAL`, with the failure as `cause`, after scheduling the process's end.
 * @throws `ERR_X_INVALID_ARG` when `fn` is not a function.
 * @example
 * import { control, critical } from '@x/process';
 * control(async () => {
 *   setInterval(() => critical(() => checkDisk()), 60_000); // a failure ends the program, status 71
 *   await serve();
 * });
 */
export function critical<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new InvalidArgumentError('fn', 'a function', fn);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    throw raise(new Critical(`A critical call failed: ${describe(error)}`, { cause: error }));
  }
  if (isPromise(result)) {
    return result.then(undefined, (error: unknown) => {
      throw raise(new Critical(`A critical call failed: ${describe(error)}`, { cause: error }));
    }) as T;
  }
  return result;
}

/**
 * Ends the process from anywhere with a `Critical`: prints it, runs the `onExit` cleanup, exits with
 * `exitStatus.critical` (71). The `Critical` is thrown here too, so the caller stops at once; catching it
 * does not cancel the end.
 *
 * @throws {Critical} always.
 * @example
 * import { panic } from '@x/process';
 * if (!state.consistent) panic('the journal and the index disagree; refusing to go on');
 */
export function panic(message: string): never {
  if (typeof message !== 'string') throw new InvalidArgumentError('message', 'a string', message);
  throw raise(new Critical(message));
}

function raise(critical: Critical): Critical {
  endProcess(exitStatus.critical, critical);
  return critical;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}
