import { constants } from 'node:os';
import { loadNative } from './native.js';

/**
 * Signals whose handling by the application should wake threads blocked in a
 * synchronous wait (a @x/latch `get()` on the main thread): their native handler
 * bumps the process-wide interrupt word that such waits consult.
 */
const interruptSignals: ReadonlySet<string> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);

const interruptWordKey = Symbol.for('@x/interrupt-word');

/**
 * The process-wide interrupt word: Int32 0 counts deliveries, Int32 1 holds the last signal's
 * number. Created on first need and published on `globalThis` so that packages which may not import
 * this one (@x/latch) can find it.
 */
function interruptWord(): Int32Array {
  const holder = globalThis as typeof globalThis & { [interruptWordKey]?: Int32Array };
  holder[interruptWordKey] ??= new Int32Array(new SharedArrayBuffer(8));
  return holder[interruptWordKey];
}

/**
 * Adds a process listener for a signal. When it is the first listener, Node's own disposition of the
 * signal is captured first, so that removing the last listener can give it back (Node otherwise
 * leaves SIG_DFL behind: a SIGPIPE that kills, a SIGUSR1 that no longer opens the inspector).
 */
export function listen(identifier: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): void {
  const native = loadNative();
  const code = constants.signals[identifier];
  if (native && process.listenerCount(identifier) === 0) native.captureDisposition(code);
  process.on(identifier, listener);
  // After process.on: libuv has now installed its handler, which ours chains to.
  if (native && interruptSignals.has(identifier)) native.installInterruptWord(interruptWord().buffer as SharedArrayBuffer, [code]);
}

/** Removes a listener added by `listen`; the last one out restores Node's own disposition. */
export function unlisten(identifier: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): void {
  const native = loadNative();
  const code = constants.signals[identifier];
  const last = process.listeners(identifier).length === 1 && process.listeners(identifier)[0] === listener;
  if (native && last && interruptSignals.has(identifier)) native.uninstallInterruptWord([code]);
  process.removeListener(identifier, listener);
  if (native && last) native.restoreDisposition(code);
}
