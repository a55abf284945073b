import { brand, hasBrand } from './brand.js';
import { InvalidArgumentError } from './invalid-argument.js';

const exitBrand = brand('Exit');

/**
 * An exit status as an error: throwing it (uncaught) from a program under `onExit` runs the cleanup
 * handlers and then exits with `status`, without reporting an error.
 *
 * @example
 * import { Exit, onExit } from '@x/signals';
 * onExit(async () => { await flushLogs(); });
 * if (process.argv.includes('--help')) throw new Exit(Exit.usageQuery);
 */
export class Exit extends Error {
  /** The status used when none was given: 255, as in fault. */
  static readonly unspecified = 255;
  /** The status of a program that only printed its usage: 200, as in fault. */
  static readonly usageQuery = 200;

  readonly code = 'ERR_X_EXIT';
  /** The exit status, from 0 to 255. */
  readonly status: number;

  constructor(status: number = Exit.unspecified) {
    if (!Number.isInteger(status) || status < 0 || status > 255) {
      throw new InvalidArgumentError('status', 'an integer from 0 to 255', status);
    }
    super(`The program exits with status ${status}.`);
    this.status = status;
  }

  /** True for an `Exit` from any loaded copy of this package (where `instanceof` would say false). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, exitBrand);
  }
}
Object.defineProperty(Exit.prototype, 'name', { value: 'Exit' });
Object.defineProperty(Exit.prototype, exitBrand, { value: true });
