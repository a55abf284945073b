import { inspect } from 'node:util';
import { type Dispose, disposer } from './dispose.js';
import type { SignalSpec } from './codes.js';
import { exitBySignal, resolveTerminatingSignal } from './exit-by-signal.js';
import type { ExitHandler, ExitReason } from './exit-reason.js';
import { Exit } from './exit.js';
import { Interruption } from './interruption.js';
import { InvalidArgumentError } from './invalid-argument.js';
import { listen, unlisten } from './listen.js';
import { type ExitListeners, type SignalsState, sharedState } from './state.js';

/** The signals that end a process by default and that onExit turns into cleanup. */
const exitSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const satisfies NodeJS.Signals[];

/** The exit status after an uncaught exception or unhandled rejection: Node's own. */
const uncaughtStatus = 1;

export interface OnExitOptions {
  /**
   * How long an async handler is awaited, in milliseconds (default 5000). When it passes, the handler
   * is reported on stderr as late and the next one runs; the process is not held up further by it.
   */
  deadlineMs?: number;
}

/**
 * Registers a cleanup handler that runs once when the process ends: on a normal end (the event loop
 * empties), `process.exit(n)`, SIGINT, SIGTERM, SIGHUP, SIGQUIT or SIGUSR2, an uncaught exception, an
 * unhandled rejection, or an uncaught `Exit` or `Interruption`.
 *
 * Handlers run last-registered first and are told why (`{code}`, `{signal}` or `{error}`). An async
 * handler is awaited up to its deadline; one handler's error is reported and does not stop the
 * others. After a signal, the process then dies *by that signal*; a second signal during cleanup ends
 * it at once. After an uncaught error, the error is printed as Node prints it and the status is 1.
 *
 * Node ends the process inside `process.exit()` without returning to the event loop, so on that path
 * handlers are called synchronously and an async handler's work past its first `await` is cut off.
 * Return from your program, or throw `new Exit(n)`, to have async cleanup awaited.
 *
 * A signal or error the application handles itself (its own `process.on('SIGINT')` or `onSignal`
 * listener, its own `uncaughtException` listener) is left to it.
 *
 * @example
 * import { onExit } from '@x/signals';
 * onExit(async (reason) => {
 *   await db.close();
 *   console.error('closed because of', reason);
 * }, { deadlineMs: 2000 });
 * @throws `ERR_X_INVALID_ARG` for a handler that is not a function or a deadline that is not a
 *   non-negative number.
 */
export function onExit(handler: ExitHandler, options: OnExitOptions = {}): Dispose {
  if (typeof handler !== 'function') throw new InvalidArgumentError('handler', 'a function', handler);
  const { deadlineMs = 5000 } = options;
  if (typeof deadlineMs !== 'number' || !(deadlineMs >= 0)) {
    throw new InvalidArgumentError('options.deadlineMs', 'a non-negative number of milliseconds', deadlineMs);
  }
  const state = sharedState();
  const entry = { handler, deadlineMs };
  state.exitHandlers.push(entry);
  state.exitListeners ??= install(state);
  return disposer(() => {
    const index = state.exitHandlers.indexOf(entry);
    if (index >= 0) state.exitHandlers.splice(index, 1);
    if (state.exitHandlers.length === 0 && state.exitListeners) {
      uninstall(state.exitListeners);
      state.exitListeners = undefined;
    }
  });
}

/** The end `exitAfterCleanup` is asked for. */
export type ExitRequest =
  /** Exit with this status (0-255). */
  | { code: number }
  /** Die by this signal (one whose default action ends a process). */
  | { signal: SignalSpec }
  /** Handlers are told `{error}`; the process exits with `code` (default 1, as for an uncaught error). */
  | { error: unknown; code?: number };

/**
 * Ends the process as an uncaught `Exit`, `Interruption` or error would, without throwing anything: the
 * `onExit` handlers run (async ones awaited under their deadlines), then the process exits with the
 * status or dies by the signal. For code that decides the end itself, such as a supervisor's `main`
 * wrapper, where a throw could be caught by an application's own `uncaughtException` listener.
 * Nothing is printed: report an error before calling it.
 *
 * When an end is already under way, a signal request ends the process at once (as a second signal
 * does) and any other request leaves that end to finish.
 *
 * @returns a promise that never settles: the process ends instead.
 * @example
 * import { exitAfterCleanup, onExit } from '@x/signals';
 * onExit(async () => { await server.close(); });
 * server.on('fatal', (error) => {
 *   console.error(error);
 *   void exitAfterCleanup({ error, code: 70 });
 * });
 * @throws `ERR_X_INVALID_ARG` for a status that is not an integer from 0 to 255, or a signal a process
 *   cannot die by.
 */
export function exitAfterCleanup(request: ExitRequest): Promise<never> {
  const { reason, finish } = resolveRequest(request);
  const state = sharedState();
  if (state.phase === 'idle') void cleanUp(state, reason).then(finish);
  else if (state.phase === 'done' || 'signal' in reason) finish();
  return new Promise<never>(() => {});
}

function resolveRequest(request: ExitRequest): { reason: ExitReason; finish: () => never } {
  if (typeof request !== 'object' || request === null) {
    throw new InvalidArgumentError('request', 'an object with code, signal or error', request);
  }
  if ('signal' in request) {
    const { identifier } = resolveTerminatingSignal(request.signal, 'request.signal');
    return { reason: { signal: identifier }, finish: () => exitBySignal(identifier) };
  }
  const hasError = 'error' in request;
  const code = request.code ?? (hasError ? uncaughtStatus : undefined);
  if (!Number.isInteger(code) || code! < 0 || code! > 255) {
    throw new InvalidArgumentError('request.code', 'an integer from 0 to 255', code);
  }
  return { reason: hasError ? { error: request.error } : { code: code! }, finish: () => process.exit(code) };
}

function install(state: SignalsState): ExitListeners {
  const listeners: ExitListeners = {
    beforeExit: () => {
      if (state.phase === 'idle') void cleanUp(state, { code: exitStatus() });
    },
    exit: (code) => {
      if (state.phase === 'idle') cleanUpNow(state, { code });
    },
    uncaughtException: (error) => {
      if (process.listenerCount('uncaughtException') > 1) return;
      if (state.phase !== 'idle') {
        report('an error escaped while cleaning up', error);
        return;
      }
      if (error instanceof Exit) void exitAfterCleanup({ code: error.status });
      else if (error instanceof Interruption) void exitAfterCleanup({ signal: error.signal });
      else {
        process.stderr.write(`${inspect(error)}\n\nNode.js ${process.version}\n`);
        process.exitCode = uncaughtStatus;
        void exitAfterCleanup({ error });
      }
    },
    signal: (identifier) => {
      if (state.phase === 'cleaning') exitBySignal(identifier);
      const handledElsewhere = process.listeners(identifier).some((l) => l !== listeners.signal);
      if (state.phase === 'idle' && !handledElsewhere) void exitAfterCleanup({ signal: identifier });
    },
  };
  process.on('beforeExit', listeners.beforeExit);
  process.on('exit', listeners.exit);
  process.on('uncaughtException', listeners.uncaughtException);
  for (const identifier of exitSignals) listen(identifier, listeners.signal);
  return listeners;
}

function uninstall(listeners: ExitListeners): void {
  process.removeListener('beforeExit', listeners.beforeExit);
  process.removeListener('exit', listeners.exit);
  process.removeListener('uncaughtException', listeners.uncaughtException);
  for (const identifier of exitSignals) unlisten(identifier, listeners.signal);
}

function exitStatus(): number {
  const code = Number(process.exitCode ?? 0);
  return Number.isInteger(code) ? code : uncaughtStatus;
}

/** Runs every handler, last registered first, awaiting each async one up to its deadline. */
async function cleanUp(state: SignalsState, reason: ExitReason): Promise<void> {
  state.phase = 'cleaning';
  for (const { handler, deadlineMs } of [...state.exitHandlers].reverse()) {
    try {
      const result = handler(reason);
      if (isThenable(result)) await withDeadline(result, deadlineMs, handler);
    } catch (error) {
      report(`the exit handler ${handlerName(handler)} failed`, error);
    }
  }
  state.phase = 'done';
}

/** The `process.exit()` path: Node will not return to the event loop, so nothing can be awaited. */
function cleanUpNow(state: SignalsState, reason: ExitReason): void {
  state.phase = 'cleaning';
  for (const { handler } of [...state.exitHandlers].reverse()) {
    try {
      const result = handler(reason);
      if (isThenable(result)) result.then(undefined, (error) => report(`the exit handler ${handlerName(handler)} failed`, error));
    } catch (error) {
      report(`the exit handler ${handlerName(handler)} failed`, error);
    }
  }
  state.phase = 'done';
}

function withDeadline(result: PromiseLike<void>, deadlineMs: number, handler: ExitHandler): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.stderr.write(
        `@x/signals: the exit handler ${handlerName(handler)} did not finish within its deadline of ${deadlineMs} ms; ` +
          'going on without it (raise `deadlineMs` if it needs longer).\n',
      );
      resolve();
    }, deadlineMs);
    result.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function';
}

function handlerName(handler: ExitHandler): string {
  return handler.name ? `"${handler.name}"` : '(anonymous)';
}

function report(what: string, error: unknown): void {
  process.stderr.write(`@x/signals: ${what}: ${inspect(error)}\n`);
}
