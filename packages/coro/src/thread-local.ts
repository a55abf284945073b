// ThreadLocal: a value per coroutine.
import { current } from './coro.js';
import { NotInCoroutineError } from './errors.js';

let slots = 0;
const UNSET: unique symbol = Symbol('unset');

/**
 * A variable with a separate value in each coroutine (shrapnel's `ThreadLocal`), kept in a slot of the
 * coroutine itself: no AsyncLocalStorage, no map lookup. A coroutine that never set it reads the default.
 * Values are dropped when their coroutine ends.
 *
 * @example
 * import { ThreadLocal, spawn } from '@x/coro';
 * const requestId = new ThreadLocal<string>('none');
 * for (const id of ['a', 'b']) {
 *   spawn(function* () {
 *     requestId.set(id);
 *     console.log(requestId.get()); // 'a' in one coroutine, 'b' in the other
 *   });
 * }
 */
export class ThreadLocal<T> {
  readonly #slot = slots++;
  readonly #initial: T;

  /** @param initial what get() gives in a coroutine that has not set a value. */
  constructor(initial: T) {
    this.#initial = initial;
  }

  /**
   * This coroutine's value.
   *
   * @throws {NotInCoroutineError} `ERR_X_CORO_NOT_IN_COROUTINE` outside a coroutine.
   */
  get(): T {
    const locals = this.#locals('ThreadLocal.get()');
    const value = this.#slot < locals.length ? locals[this.#slot] : UNSET;
    return value === UNSET ? this.#initial : (value as T);
  }

  /**
   * Sets this coroutine's value.
   *
   * @throws {NotInCoroutineError} `ERR_X_CORO_NOT_IN_COROUTINE` outside a coroutine.
   */
  set(value: T): void {
    const locals = this.#locals('ThreadLocal.set()');
    while (locals.length < this.#slot) locals.push(UNSET);
    locals[this.#slot] = value;
  }

  /** Forgets this coroutine's value (get() gives the default again). */
  delete(): void {
    const locals = this.#locals('ThreadLocal.delete()');
    if (this.#slot < locals.length) locals[this.#slot] = UNSET;
  }

  #locals(operation: string): unknown[] {
    const co = current();
    if (co === undefined) throw new NotInCoroutineError(operation);
    return (co.locals ??= []);
  }
}
