import { Exit, Interruption, onExit } from '@x/signals';
import { Critical } from './critical.js';
import { endBySignal, endProcess } from './end.js';
import { InvalidArgumentError, MainUnsettledError } from './errors.js';
import { exitStatus } from './exit-status.js';
import { Invocation, type SystemInvocationOptions } from './invocation.js';
import { sharedState } from './state.js';

/** A program's main function: given this process's invocation, it returns (or resolves to) its exit status. */
export type Main = (invocation: Invocation) => unknown;

/** Options of {@link control}. */
export type ControlOptions = SystemInvocationOptions;

/**
 * Runs a program's main function under @x/signals and ends the process by what main did:
 *
 * | main… | the process |
 * |---|---|
 * | returns (or resolves to) a number | exits with it after the `onExit` cleanup |
 * | returns anything else | exits with 0 after cleanup |
 * | throws `new Exit(n)` | exits with `n` after cleanup, printing nothing |
 * | throws an `Interruption` | dies by its signal after cleanup |
 * | throws a `Critical` (see `critical`, `panic`) | prints it, exits with `exitStatus.critical` (71) |
 * | throws anything else | prints it, exits with `exitStatus.uncaught` (70) |
 * | never settles, and the event loop empties | prints a `MainUnsettledError`, exits with `exitStatus.unsettled` (13) |
 *
 * An error thrown outside main's promise chain (in a timer or an event handler) or an unhandled
 * rejection ends the program the same way as one thrown by main.
 *
 * While it runs, SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGUSR2 (unless the program handles them itself)
 * run the cleanup and then end the process *by that signal*, so the parent sees the signal. The
 * process ends when main settles even if handles (timers, servers) are still open.
 *
 * A closed pipe on stdout or stderr (`program | head -1`: the reader is gone) ends the program as
 * SIGPIPE ends a C program, quietly: the cleanup runs (`onExit` handlers see `{signal: 'SIGPIPE'}`),
 * then the process dies by SIGPIPE (a shell shows status 141). When the program was already ending
 * (main had settled and only its last writes failed), the end under way keeps its status and the
 * failed writes are dropped without a word.
 *
 * @returns a promise that never settles: the process ends instead.
 * @throws `ERR_X_INVALID_ARG` when `main` is not a function.
 * @example
 * import { control, Exit } from '@x/process';
 * import { onExit } from '@x/signals';
 * control(async (invocation) => {
 *   onExit(() => console.error('cleaning up'));
 *   if (invocation.args.length === 0) throw new Exit(Exit.usageQuery);
 *   return 0;
 * });
 */
export function control(main: Main, options: ControlOptions = {}): Promise<never> {
  if (typeof main !== 'function') throw new InvalidArgumentError('main', 'a function', main);
  const invocation = Invocation.system(options);
  const state = sharedState();
  state.controlled = true;
  // Installs @x/signals' exit listeners for the whole run: exit signals clean up and die by the signal.
  onExit(() => {});
  // An error thrown outside main's promise chain (a timer, an event handler) ends the program as one
  // from main does; once an end is under way, end.ts reports stray errors.
  process.on('uncaughtException', (error) => {
    if (!sharedState().ending) settleFailure(error);
  });
  // Node ignores SIGPIPE, so a write into a pipe whose reader is gone fails with EPIPE instead, emitted
  // as an 'error' on the stream (uncaught: a stack per write). Writing on could only fail again.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // Thrown on, any other failure ends the program as an unhandled 'error' event always has.
      if (error.code !== 'EPIPE') throw error;
      if (!sharedState().ending) endBySignal(new Interruption('SIGPIPE'));
    });
  }
  // Node gives up on an unsettled top-level await with status 13; a main awaiting forever with nothing
  // left to settle it would otherwise exit 0 in silence. First among beforeExit listeners: @x/signals'
  // own one would start the cleanup of a plain exit with 0 and this end would then be ignored.
  process.prependListener('beforeExit', () => {
    if (!sharedState().ending) endProcess(exitStatus.unsettled, new MainUnsettledError());
  });
  Promise.resolve()
    .then(() => main(invocation))
    .then(
      (result) => {
        if (typeof result !== 'number') return endProcess(exitStatus.returned);
        if (Number.isInteger(result) && result >= 0 && result <= 255) return endProcess(result);
        endProcess(exitStatus.uncaught, new InvalidArgumentError('main() result', 'an exit status from 0 to 255', result));
      },
      (error: unknown) => settleFailure(error),
    );
  return new Promise<never>(() => {});
}

function settleFailure(error: unknown): void {
  if (error instanceof Exit) endProcess(error.status);
  else if (error instanceof Interruption) endBySignal(error);
  else if (error instanceof Critical) endProcess(exitStatus.critical, error);
  else endProcess(exitStatus.uncaught, error);
}
