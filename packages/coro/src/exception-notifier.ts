// Where errors that end a coroutine go when nobody else receives them.
import { checkFunction } from './errors.js';

/** Receives the coroutine and the error that ended it. */
export type ExceptionNotifier = (coro: { id: number; name: string }, error: unknown) => void;

function defaultNotifier(coro: { id: number; name: string }, error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  process.stderr.write(`@x/coro: coroutine ${coro.id} ${JSON.stringify(coro.name)} died of an uncaught error:\n${detail}\n`);
}

let notifier: ExceptionNotifier = defaultNotifier;

/**
 * Sets what is called when a coroutine ends with an uncaught error (never for `Shutdown`; not for
 * coroutines whose outcome goes to `toPromise` or `inParallel`). The default prints the coroutine's id,
 * name and the stack on stderr; a notifier that throws is reported by the default one. Returns the
 * previous notifier.
 *
 * @param fn the new notifier, or undefined for the default.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` if `fn` is neither a function nor undefined.
 * @example
 * import { setExceptionNotifier, spawn } from '@x/coro';
 * setExceptionNotifier((coro, error) => console.error(`${coro.name} failed`, error));
 * spawn(function* worker() { throw new Error('boom'); });
 */
export function setExceptionNotifier(fn: ExceptionNotifier | undefined): ExceptionNotifier {
  if (fn !== undefined) checkFunction('fn', fn);
  const previous = notifier;
  notifier = fn ?? defaultNotifier;
  return previous;
}

/** @internal */
export function notifyException(coro: { id: number; name: string }, error: unknown): void {
  try {
    notifier(coro, error);
  } catch (failure) {
    defaultNotifier(coro, error);
    defaultNotifier(coro, failure);
  }
}
