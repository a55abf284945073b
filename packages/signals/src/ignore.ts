import type { SignalSpec } from './codes.js';
import type { Dispose } from './dispose.js';
import { onSignal } from './on-signal.js';

/**
 * Makes the given signals do nothing until the returned function is called (fault's
 * `Interruption.filter`). A handler that does nothing is installed, not SIG_IGN, so child processes
 * do not inherit the ignoring; `onExit` leaves a signal alone while it is ignored.
 *
 * @example
 * import { ignore } from '@x/signals';
 * const restore = ignore('SIGHUP'); // survive the terminal closing
 * @throws `ERR_X_INVALID_ARG` for an unknown signal, SIGKILL or SIGSTOP.
 */
export function ignore(...signals: SignalSpec[]): Dispose {
  return onSignal(signals, () => {});
}
