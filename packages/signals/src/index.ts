/**
 * @x/signals: named signals, handlers installed only on request, cleanup under a deadline, and an
 * exit *by* the signal, so the parent process sees what really happened.
 */
export { fatalSignals, signalCode, signalCodes, signalIdentifiers, signalName, signalNames } from './codes.js';
export type { SignalCategory, SignalSpec } from './codes.js';
export type { Dispose } from './dispose.js';
export { exitBySignal } from './exit-by-signal.js';
export type { ExitHandler, ExitReason } from './exit-reason.js';
export { Exit } from './exit.js';
export { ignore } from './ignore.js';
export { Interruption } from './interruption.js';
export { InvalidArgumentError } from './invalid-argument.js';
export { exitAfterCleanup, onExit } from './on-exit.js';
export type { ExitRequest, OnExitOptions } from './on-exit.js';
export { onSignal } from './on-signal.js';
export type { SignalEvent, SignalHandler } from './on-signal.js';
