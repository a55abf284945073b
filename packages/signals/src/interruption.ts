import { brand, hasBrand } from './brand.js';
import { resolveSignal, type SignalSpec } from './codes.js';

const interruptionBrand = brand('Interruption');

/**
 * An interruption by a signal, as an error: like a `KeyboardInterrupt` that remembers which signal
 * it was. Thrown uncaught from a program under `onExit`, it runs the cleanup handlers and then ends
 * the process *by that signal*, so the parent sees it (`signal === 'SIGINT'`, not exit code 130).
 *
 * @example
 * import { Interruption, onSignal } from '@x/signals';
 * const stop = onSignal('process/interrupt', () => { throw new Interruption('SIGINT'); });
 */
export class Interruption extends Error {
  readonly code = 'ERR_X_INTERRUPTED';
  /** The signal's identifier, e.g. `'SIGINT'`. */
  readonly signal: NodeJS.Signals;
  /** The signal's number on this platform, e.g. 2. */
  readonly signalNumber: number;

  /**
   * @param signal the signal's identifier (`'SIGINT'`), number (2) or categorized name (`'process/interrupt'`).
   * @throws `ERR_X_INVALID_ARG` for a signal this platform does not have.
   */
  constructor(signal: SignalSpec) {
    const { identifier, code } = resolveSignal(signal, 'signal');
    super(`Interrupted by ${identifier}.`);
    this.signal = identifier;
    this.signalNumber = code;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, interruptionBrand);
  }
}
Object.defineProperty(Interruption.prototype, 'name', { value: 'Interruption' });
Object.defineProperty(Interruption.prototype, interruptionBrand, { value: true });
