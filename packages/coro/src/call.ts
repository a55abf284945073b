// Bridges to Promises, both ways.
import { type Coro, spawn } from './coro.js';
import { InvalidArgumentError } from './errors.js';
import { Immediate, type Operation, Suspension } from './operation.js';

class Await<T> extends Suspension<T> {
  readonly #source: PromiseLike<T> | (() => PromiseLike<T> | T);

  constructor(source: PromiseLike<T> | (() => PromiseLike<T> | T)) {
    super();
    this.#source = source;
  }

  describe(): string {
    return 'call(promise)';
  }

  protected attempt(_co: Coro): boolean {
    const source = this.#source;
    const awaited = typeof source === 'function' ? source() : source;
    if (!isThenable(awaited)) {
      this.result = awaited;
      return true;
    }
    // Interrupted meanwhile: the settlement finds the operation no longer waiting and is ignored.
    awaited.then(
      (value) => this.wake(value),
      (error: unknown) => this.fail(error),
    );
    return false;
  }
}

function isThenable<T>(value: unknown): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * Waits for a promise (or for the promise a function returns) and gives its value; a rejection is thrown
 * at the `yield*`. The coroutine stays interruptible meanwhile; the promise itself cannot be cancelled,
 * so pass `useAbortSignal()`'s signal to the API that made it.
 *
 * @param source a promise, or a function called when the operation starts (a non-promise result is given back at once).
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for anything else.
 * @example
 * import { readFile } from 'node:fs/promises';
 * import { call, spawn } from '@x/coro';
 * spawn(function* () {
 *   const text = yield* call(readFile('/etc/hostname', 'utf8'));
 *   console.log(text.trim());
 * });
 */
export function call<T>(source: PromiseLike<T> | (() => PromiseLike<T> | T)): Operation<Awaited<T>> {
  if (typeof source !== 'function' && !isThenable(source)) {
    throw new InvalidArgumentError('source', 'a promise or a function returning one', source);
  }
  return new Await(source) as unknown as Operation<Awaited<T>>;
}

/**
 * Runs an operation in a new coroutine and returns a promise of its result, for use from plain async
 * code. Its errors reject the promise instead of going to the exception notifier.
 *
 * @example
 * import { sleep, toPromise } from '@x/coro';
 * await toPromise(sleep(10));
 * const sum: number = await toPromise(function* () { yield* sleep(1); return 1 + 1; }());
 */
export function toPromise<T>(op: Operation<T>): Promise<T> {
  if (typeof op !== 'object' || op === null || typeof (op as Operation<T>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError('op', 'an operation (an iterable such as a generator object)', op);
  }
  return new Promise<T>((resolve, reject) => {
    const co: Coro<T> = spawn(() => op); // the coroutine drives op itself: no extra generator level
    co.reportErrors = false;
    co.addJoiner({
      ended(ended: Coro<T>) {
        try {
          resolve(ended.outcome());
        } catch (error) {
          reject(error);
        }
      },
    });
  });
}

/**
 * Gives an AbortSignal that aborts when the calling coroutine is interrupted (reason: the interruption)
 * or ends, for APIs that take one (`fetch`, streams, `child_process`).
 *
 * @throws {NotInCoroutineError} `ERR_X_CORO_NOT_IN_COROUTINE` outside a coroutine.
 * @example
 * import { call, spawn, useAbortSignal, withTimeout } from '@x/coro';
 * spawn(function* () {
 *   const signal = yield* useAbortSignal();
 *   yield* withTimeout(5_000, call(() => fetch('http://127.0.0.1:8080/', { signal })));
 * });
 */
export function useAbortSignal(): Operation<AbortSignal> {
  return new Immediate('useAbortSignal()', (co) => co.signal);
}
