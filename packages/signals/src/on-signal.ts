import { type SignalCategory, type SignalSpec, resolveSignal, signalNames } from './codes.js';
import { type Dispose, disposer } from './dispose.js';
import { InvalidArgumentError } from './invalid-argument.js';
import { listen, unlisten } from './listen.js';

/** A signal as handlers receive it. */
export interface SignalEvent {
  /** `'SIGTERM'` */
  identifier: NodeJS.Signals;
  /** 15 */
  code: number;
  /** `'process/terminate'`, or undefined for a signal without a categorized name. */
  name: SignalCategory | undefined;
}

export type SignalHandler = (signal: SignalEvent) => void;

/**
 * Calls `handler` whenever one of the given signals arrives, until the returned function is called.
 *
 * Nothing is installed until this is called. While a handler is registered, Node's default action
 * for the signal (ending the process) does not happen; disposing the last handler of a signal gives
 * the signal back its previous behaviour (Node's own, including SIGPIPE ignored and SIGUSR1 opening
 * the inspector). A handler that throws reaches `uncaughtException`: throw an `Interruption` to end
 * the process by the signal after `onExit` cleanup.
 *
 * @param signals one signal or several: categorized names (`'process/terminate'`), identifiers
 *   (`'SIGTERM'`) or numbers.
 * @example
 * import { onSignal } from '@x/signals';
 * const stop = onSignal(['SIGHUP', 'user/2'], ({ identifier }) => console.log(`reloading on ${identifier}`));
 * // later
 * stop();
 * @throws `ERR_X_INVALID_ARG` for an unknown signal, SIGKILL or SIGSTOP (they cannot be handled), or a
 *   handler that is not a function.
 */
export function onSignal(signals: SignalSpec | readonly SignalSpec[], handler: SignalHandler): Dispose {
  if (typeof handler !== 'function') throw new InvalidArgumentError('handler', 'a function', handler);
  const list = Array.isArray(signals) ? signals : [signals as SignalSpec];
  if (list.length === 0) throw new InvalidArgumentError('signals', 'a signal or a non-empty array of signals', signals);
  const resolved = list.map((signal) => resolveSignal(signal, 'signals'));
  const unhandleable = resolved.find(({ identifier }) => identifier === 'SIGKILL' || identifier === 'SIGSTOP');
  if (unhandleable) {
    throw new InvalidArgumentError('signals', 'signals that can be handled (not SIGKILL or SIGSTOP)', unhandleable.identifier);
  }
  const listeners = [...new Map(resolved.map((r) => [r.identifier, r])).values()].map(({ identifier, code }) => {
    const event: SignalEvent = Object.freeze({ identifier, code, name: signalNames.get(code) });
    const listener = () => handler(event);
    listen(identifier, listener);
    return [identifier, listener] as const;
  });
  return disposer(() => {
    for (const [identifier, listener] of listeners) unlisten(identifier, listener);
  });
}
