// eventLoop() and setExit(): the program's lifetime, ended by setExit or SIGINT/SIGTERM.
import { constants } from 'node:os';
import { allThreads } from './coro.js';
import { InvalidArgumentError, checkInteger } from './errors.js';
import { rt } from './runtime.js';

/** Options of eventLoop(). */
export interface EventLoopOptions {
  /** End the loop on SIGINT and SIGTERM (default: `installSignalHandlers()`'s setting, true). */
  installSignalHandlers?: boolean;
}

interface Loop {
  promise: Promise<number>;
  resolve: (code: number) => void;
  handlers: [NodeJS.Signals, () => void][];
}

let defaultInstall = true;
let loop: Loop | undefined;
let exitCode: number | undefined;

/**
 * Sets whether eventLoop() installs its SIGINT/SIGTERM handlers by default (shrapnel's
 * `install_signal_handlers`). Returns the previous setting.
 *
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a non-boolean.
 * @example
 * import { eventLoop, installSignalHandlers } from '@x/coro';
 * installSignalHandlers(false); // this program handles signals itself
 * process.exitCode = await eventLoop();
 */
export function installSignalHandlers(enabled: boolean): boolean {
  if (typeof enabled !== 'boolean') throw new InvalidArgumentError('enabled', 'a boolean', enabled);
  const previous = defaultInstall;
  defaultInstall = enabled;
  return previous;
}

/**
 * Runs until the program is done and gives its exit status: when `setExit(code)` is called (every live
 * coroutine is then shut down, and the loop ends once they have run their cleanup), when SIGINT or SIGTERM
 * arrives (the same, with status 128 + the signal's number: 130, 143), or when no coroutine is left
 * (status 0). The coroutines themselves run on Node's own loop; this is their lifetime. Its signal
 * handlers are removed when it ends. Called while running, it gives the same promise.
 *
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for bad options.
 * @example
 * import { eventLoop, setExit, sleep, spawn } from '@x/coro';
 * spawn(function* main() {
 *   yield* sleep(100);
 *   setExit(0);
 * });
 * process.exitCode = await eventLoop();
 */
export function eventLoop(options: EventLoopOptions = {}): Promise<number> {
  if (loop) return loop.promise;
  const install = options.installSignalHandlers ?? defaultInstall;
  if (typeof install !== 'boolean') throw new InvalidArgumentError('options.installSignalHandlers', 'a boolean', install);
  let resolve!: (code: number) => void;
  const promise = new Promise<number>((done) => (resolve = done));
  const current: Loop = (loop = { promise, resolve, handlers: [] });
  if (install) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => setExit(128 + constants.signals[signal]);
      process.on(signal, handler);
      current.handlers.push([signal, handler]);
    }
  }
  rt.onDeath = (alive) => {
    if (alive === 0) finish();
  };
  if (exitCode !== undefined) setExit(exitCode);
  else if (allThreads.size === 0) queueMicrotask(() => allThreads.size === 0 && finish());
  return promise;
}

/**
 * Ends eventLoop() with `code`: every live coroutine is shut down and the loop's promise resolves with
 * `code` once they have all ended. Called before eventLoop(), the next eventLoop() ends at once.
 *
 * @param code the exit status, 0 to 255 (0 by default).
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` otherwise.
 * @example
 * import { setExit, spawn } from '@x/coro';
 * spawn(function* () { setExit(3); });
 */
export function setExit(code = 0): void {
  exitCode = checkInteger('code', code, 0, 255);
  if (!loop) return;
  for (const co of [...allThreads.values()]) co.shutdown();
  if (allThreads.size === 0) finish();
}

function finish(): void {
  const ending = loop;
  if (!ending) return;
  loop = undefined;
  rt.onDeath = undefined;
  for (const [signal, handler] of ending.handlers) process.off(signal, handler);
  const code = exitCode ?? 0;
  exitCode = undefined;
  ending.resolve(code);
}
