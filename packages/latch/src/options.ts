// Checks of the arguments every public method takes, at the boundary.

import { InvalidArgumentError } from './errors.js';

/** Options of `new Latch(options)`. */
export interface LatchOptions {
  /**
   * Bytes of shared memory for queued values (65536 by default, at least 64, at most 2^30). Each value
   * takes its serialized size plus 4 bytes, rounded up to a multiple of 4; a `put` that does not fit
   * waits for room, a value that can never fit is refused.
   */
  capacity?: number;
  /**
   * How many getters can sleep on the latch at once before further ones queue for a free slot (256 by
   * default; rounded up to a power of two). Each slot is one 4-byte word.
   */
  waiterSlots?: number;
}

/** Options of a blocking `get`. */
export interface GetOptions {
  /** The longest to wait for a value, in milliseconds (no limit by default). `0` never waits. */
  timeout?: number;
  /** `false` throws `TimeoutError` at once when no value is waiting, as `timeout: 0` (default `true`). */
  block?: boolean;
}

/** Options of `getAsync` and `putAsync`. */
export interface AsyncWaitOptions {
  /** The longest to wait, in milliseconds (no limit by default). */
  timeout?: number;
  /** Ends the wait early: the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Options of a blocking `put`. */
export interface PutOptions {
  /** The longest to wait for room when the ring is full, in milliseconds (no limit by default). */
  timeout?: number;
}

function integerIn(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function optionsObject(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(name, 'an object', value);
  return value as Record<string, unknown>;
}

/** Checks `new Latch(options)`. */
export function latchOptions(options: unknown): { capacity: number; waiterSlots: number } {
  const given = optionsObject('options', options);
  return {
    capacity: integerIn('options.capacity', given.capacity, 64, 2 ** 30, 65_536),
    waiterSlots: integerIn('options.waiterSlots', given.waiterSlots, 1, 65_536, 256),
  };
}

/** Checks the options of a wait and returns its timeout in milliseconds (Infinity for none). */
export function waitOptions(options: unknown, kinds: { block?: boolean; signal?: boolean }): {
  timeout: number;
  signal: AbortSignal | undefined;
} {
  const given = optionsObject('options', options);
  let timeout = Infinity;
  if (given.timeout !== undefined) {
    if (typeof given.timeout !== 'number' || Number.isNaN(given.timeout) || given.timeout < 0) {
      throw new InvalidArgumentError('options.timeout', 'a number of milliseconds >= 0 (or Infinity)', given.timeout);
    }
    timeout = given.timeout;
  }
  if (kinds.block && given.block !== undefined) {
    if (typeof given.block !== 'boolean') throw new InvalidArgumentError('options.block', 'a boolean', given.block);
    if (!given.block) timeout = 0;
  }
  let signal: AbortSignal | undefined;
  if (kinds.signal && given.signal !== undefined) {
    if (!(given.signal instanceof AbortSignal)) {
      throw new InvalidArgumentError('options.signal', 'an AbortSignal', given.signal);
    }
    signal = given.signal;
  }
  return { timeout, signal };
}
