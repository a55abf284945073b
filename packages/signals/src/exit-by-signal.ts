import { type ResolvedSignal, type SignalSpec, resolveSignal } from './codes.js';
import { InvalidArgumentError } from './invalid-argument.js';
import { loadNative } from './native.js';
import { sharedState } from './state.js';

/** Signals whose default action does not end the process, so a process cannot die by them. */
const nonTerminating: ReadonlySet<string> = new Set([
  'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGWINCH',
]);

/** Resolves a signal a process can die by; `ERR_X_INVALID_ARG` for any other. */
export function resolveTerminatingSignal(signal: SignalSpec, argument: string): ResolvedSignal {
  const resolved = resolveSignal(signal, argument);
  if (nonTerminating.has(resolved.identifier)) {
    throw new InvalidArgumentError(argument, 'a signal whose default action ends the process', resolved.identifier);
  }
  return resolved;
}

/**
 * Ends the process *by* a signal, now: its parent sees `code === null, signal === 'SIGTERM'` (waitpid's
 * WIFSIGNALED), not the 128+n exit status shells and most libraries fake. Cleanup does not run here:
 * throw an `Interruption` instead to run `onExit` handlers first (this is what they end with).
 *
 * Works for every signal whose default action ends the process, including those Node claims for itself
 * (SIGUSR1 for the inspector, SIGPIPE which Node ignores) through @x/native. Without the addon, those two
 * cannot be re-raised from JS while Node holds them (no listener of ours is installed), and the process
 * exits with status 128+n instead.
 *
 * @example
 * import { exitBySignal } from '@x/signals';
 * process.on('SIGTERM', () => { saveState(); exitBySignal('SIGTERM'); });
 * @throws `ERR_X_INVALID_ARG` for an unknown signal or one whose default action does not end a process
 *   (SIGCHLD, SIGCONT, SIGWINCH, the stop signals…).
 */
export function exitBySignal(signal: SignalSpec): never {
  const { identifier, code } = resolveTerminatingSignal(signal, 'signal');
  sharedState().phase = 'done';
  const native = loadNative();
  if (identifier === 'SIGKILL') process.kill(process.pid, identifier);
  else if (native) native.raiseDefault(code);
  else {
    // With no listener left, libuv has restored SIG_DFL and the kill is fatal on delivery.
    process.removeAllListeners(identifier);
    process.kill(process.pid, identifier);
  }
  // Delivery to another thread of this process can lag the kill by a moment.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  // Only a signal Node keeps for itself, without the addon, gets here.
  process.exit(128 + code);
}
