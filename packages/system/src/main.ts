import { createRequire } from 'node:module';
import { control, type Invocation } from '@x/process';
import type { Router, RouterOptions } from '@x/remote';
import { type ExitReason, onExit } from '@x/signals';

/** What {@link main} gives the program's main function. */
export interface MainContext {
  /** This process's invocation (`args` are `process.argv.slice(2)`). */
  readonly invocation: Invocation;
  /** The program's arguments: `invocation.args`. */
  readonly args: readonly string[];
  /**
   * The default @x/remote `Router`, created on first use and closed when the process ends (every
   * context it started is shut down, gracefully then by force), whatever ends it: a return, an
   * exception, Ctrl+C.
   */
  readonly router: Router;
  /** Aborted when the process starts to end (a signal such as Ctrl+C, an uncaught error, main's return), with the reason. */
  readonly signal: AbortSignal;
}

/** A program's main function: an async function or a generator function (run as an @x/coro coroutine). */
export type MainFunction = (context: MainContext) => unknown;

/** Options of {@link main}. */
export interface MainOptions {
  /** Options for the default router (see @x/remote's `new Router(options)`). */
  router?: RouterOptions;
  /** How long closing the default router may take at exit, in milliseconds (default 5000); then the process ends anyway. */
  closeTimeoutMs?: number;
  /** The environment variables to snapshot into `invocation.environ`. */
  environ?: Iterable<string>;
}

/** Thrown into `context.signal`'s listeners when the process ends; `reason` is @x/signals' exit reason. */
export class ExitingError extends Error {
  readonly code = 'ERR_X_EXITING';
  readonly reason: ExitReason;

  constructor(reason: ExitReason) {
    super(`the process is ending (${JSON.stringify('error' in reason ? { error: String(reason.error) } : reason)})`);
    this.reason = reason;
  }
}
Object.defineProperty(ExitingError.prototype, 'name', { value: 'ExitingError' });

/**
 * Runs a program's main function with the whole of x wired in: @x/process `control` (a returned number
 * is the exit status, `Exit` and `Interruption` end the process as they say, Ctrl+C and SIGTERM run the
 * cleanup and then end the process *by* the signal, a second one ends it at once), @x/signals cleanup,
 * a default @x/remote `Router` that is closed on exit, and @x/coro: a generator function runs as a
 * coroutine, and coroutines still alive at exit are shut down.
 *
 * Before the process ends, what stdout and stderr still hold is handed to their readers: the wait lasts
 * as long as a reader keeps reading (up to 10 minutes), and gives up on one that took nothing for 10
 * seconds (a pipe nobody reads), dropping the rest. A reader that went away ends the program by SIGPIPE
 * (see @x/process `control`).
 *
 * @returns a promise that never settles: the process ends instead.
 * @throws `ERR_X_INVALID_ARG` when `fn` is not a function (from `control`).
 * @example
 * import { main } from '@x/system';
 * main(async ({ router }) => {
 *   const contexts = await Promise.all([1, 2, 3].map((n) => router.local({ name: `w${n}` })));
 *   const pids = await Promise.all(contexts.map((ctx) => ctx.call('node:process', 'cwd')));
 *   console.log(pids);
 *   return 0; // the router and its contexts are closed before the process exits with 0
 * });
 */
export function main(fn: MainFunction, options: MainOptions = {}): Promise<never> {
  const controlOptions = options.environ === undefined ? {} : { environ: options.environ };
  return control(async (invocation) => {
    const abort = new AbortController();
    let router: Router | undefined;
    let coro: typeof import('@x/coro') | undefined;
    // Registered first, so it runs last: the process ends with process.exit(), which drops what a pipe
    // has not taken yet (x's --json lines into a jq that reads slower than x writes).
    onExit(
      async () => {
        await Promise.all([drained(process.stdout, 'stdout'), drained(process.stderr, 'stderr')]);
      },
      { deadlineMs: DRAIN_DEADLINE_MS },
    );
    // Registered before fn runs, so it runs after the program's own onExit handlers (last in, first out):
    // their cleanup may still use the contexts.
    onExit(
      async (reason) => {
        abort.abort(new ExitingError(reason));
        if (coro) for (const co of coro.allThreads.values()) co.shutdown();
        await router?.close();
      },
      { deadlineMs: options.closeTimeoutMs ?? 5_000 },
    );
    const context: MainContext = {
      invocation,
      args: invocation.args,
      get router() {
        router ??= new (loadRemote().Router)(options.router);
        return router;
      },
      signal: abort.signal,
    };
    const result = fn(context);
    if (isGenerator(result)) {
      coro = await import('@x/coro');
      return await coro.toPromise(result as Generator<never, unknown, unknown>);
    }
    return await result;
  }, controlOptions);
}

// @x/remote (and esbuild with it) is loaded when the router is first asked for, not with main(): a
// program that never uses it (x --help, x with a usage error) does not pay for it. require() of an
// ES module is synchronous on Node 20.19+, which lets the router stay a plain property.
const require = createRequire(import.meta.url);
function loadRemote(): typeof import('@x/remote') {
  return require('@x/remote') as typeof import('@x/remote');
}

/**
 * How long the end of the process waits for a reader of stdout or stderr that takes nothing, in
 * milliseconds: one that stopped reading (a pager left open, a pipe nobody reads) costs this much,
 * then the output it did not take is dropped.
 */
const DRAIN_STALL_MS = 10_000;

/** How long the end of the process waits for a reader that keeps reading, slowly, in milliseconds. */
const DRAIN_DEADLINE_MS = 600_000;

/**
 * Resolves once everything written to `stream` so far has left the process, or the stream failed
 * (a closed pipe: control() ends the program by SIGPIPE), or its reader took nothing for
 * {@link DRAIN_STALL_MS}.
 */
function drained(stream: NodeJS.WriteStream, name: string): Promise<void> {
  if (stream.writableLength === 0 || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = pending(stream);
    const watch = setInterval(() => {
      const now = pending(stream);
      if (now !== seen) {
        seen = now;
        return;
      }
      clearInterval(watch);
      // Into the queue behind the stuck output when the stuck stream is stderr itself: harmless.
      process.stderr.write(`the reader of ${name} took nothing for ${DRAIN_STALL_MS / 1000} s: ending without the rest of the output\n`);
      resolve();
    }, DRAIN_STALL_MS);
    // An empty write's callback runs once the writes queued before it are done (or with their error).
    stream.write('', () => {
      clearInterval(watch);
      resolve();
    });
  });
}

/**
 * What `stream` has not handed to its reader yet: Node's queue, plus what libuv holds of the write in
 * progress (it shrinks as the reader reads, where Node's count only drops when a whole write is done).
 */
function pending(stream: NodeJS.WriteStream): number {
  const handle = (stream as { _handle?: { writeQueueSize?: number } })._handle;
  return stream.writableLength + (handle?.writeQueueSize ?? 0);
}

function isGenerator(value: unknown): value is Generator {
  return typeof value === 'object' && value !== null && typeof (value as Generator).next === 'function' && typeof (value as Generator).throw === 'function';
}
