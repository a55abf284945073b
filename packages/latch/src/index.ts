/**
 * @x/latch: a queue shared by the main thread and worker threads, with blocking and async waits.
 *
 * @example
 * import { Latch } from '@x/latch';
 * const latch = new Latch<string>();
 * latch.put('hello');
 * console.log(latch.get());
 */
export { Latch } from './latch.js';
export { INTERRUPT_SLICE_MS } from './interrupt.js';
export {
  InvalidArgumentError,
  Interrupted,
  LatchClosedError,
  LatchValueTooLargeError,
  TimeoutError,
} from './errors.js';
export type { LatchHandle } from './layout.js';
export type { AsyncWaitOptions, GetOptions, LatchOptions, PutOptions } from './options.js';
