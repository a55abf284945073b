// Ends the process through @x/signals' exitAfterCleanup: the onExit cleanup runs (awaited, under its
// deadlines), then the process exits with the status or dies by the signal. Nothing is thrown, so an
// application's own uncaughtException listener cannot swallow the end.
import { inspect } from 'node:util';
import { type Interruption, exitAfterCleanup } from '@x/signals';
import { sharedState } from './state.js';

/** Ends the process with `status` after cleanup, printing `error` first when there is one. Once only. */
export function endProcess(status: number, error?: unknown): void {
  if (!begin(error)) return;
  if (error !== undefined) process.stderr.write(`${inspect(error)}\n`);
  void exitAfterCleanup(error === undefined ? { code: status } : { error, code: status });
}

/** Ends the process by `interruption`'s signal after cleanup. Once only. */
export function endBySignal(interruption: Interruption): void {
  if (!begin(interruption)) return;
  void exitAfterCleanup({ signal: interruption.signal });
}

function begin(cause: unknown): boolean {
  const state = sharedState();
  if (state.ending) return false;
  state.ending = true;
  // The cause may also be thrown on (a panic in a timer): it is already reported and must not end the
  // process a second time as an ordinary uncaught error (Node's default: status 1, no cleanup).
  process.on('uncaughtException', (uncaught) => {
    if (uncaught !== cause) process.stderr.write(`An error escaped while the process was ending: ${inspect(uncaught)}\n`);
  });
  return true;
}

/** `invocation.exit(status)`: under control, end like a returned status; otherwise `process.exit`. */
export function requestExit(status: number): void {
  if (sharedState().controlled) endProcess(status);
  else process.exit(status);
}
