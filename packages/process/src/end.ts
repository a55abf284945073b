// Ends the process through @x/signals, so that the onExit cleanup runs (awaited, under its
// deadlines) before the exit: an uncaught Exit or Interruption is what @x/signals turns into
// "clean up, then exit with the status / die by the signal".
import { inspect } from 'node:util';
import { Exit, Interruption, onExit } from '@x/signals';
import { sharedState } from './state.js';

/** Ends the process with `status` after cleanup, printing `error` first when there is one. Once only. */
export function endProcess(status: number, error?: unknown): void {
  if (!begin()) return;
  if (error !== undefined) process.stderr.write(`${inspect(error)}\n`);
  // The error may also be thrown on (a panic in a timer): it must not reach @x/signals as an
  // ordinary uncaught error (status 1) before the Exit below. While this listener is there,
  // @x/signals leaves uncaught errors alone; it is gone before the Exit is thrown.
  const swallow = (uncaught: unknown) => {
    // Another error in the same moment: the process is ending anyway; say what it was.
    if (uncaught !== error) process.stderr.write(`${inspect(uncaught)}\n`);
  };
  if (error !== undefined) process.prependListener('uncaughtException', swallow);
  deliver(new Exit(status), () => process.exit(status), () => process.removeListener('uncaughtException', swallow));
}

/** Ends the process by `interruption`'s signal after cleanup. Once only. */
export function endBySignal(interruption: Interruption): void {
  if (!begin()) return;
  deliver(interruption, () => process.kill(process.pid, interruption.signal));
}

function begin(): boolean {
  const state = sharedState();
  if (state.ending) return false;
  state.ending = true;
  // A handler keeps @x/signals' listeners installed for the throw below; it does nothing itself.
  onExit(() => {});
  return true;
}

function deliver(error: Exit | Interruption, fallback: () => void, before: () => void = () => {}): void {
  setImmediate(() => {
    before();
    // Another uncaughtException listener means @x/signals leaves uncaught errors to the
    // application: end directly (process.exit still runs the cleanup, synchronously).
    if (process.listenerCount('uncaughtException') > 1) fallback();
    else throw error;
  });
}
