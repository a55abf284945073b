// Argument checks shared by the public entry points.
import { InvalidArgumentError } from './errors.js';

/** The longest delay or period accepted, in milliseconds (2^52 ms: about 140,000 years). */
export const MAX_DELAY_MS = 2 ** 52;

export function checkDelay(argument: string, value: unknown, allowZero = true): number {
  if (typeof value !== 'number' || !(allowZero ? value >= 0 : value > 0) || value > MAX_DELAY_MS) {
    throw new InvalidArgumentError(argument, `a number of milliseconds ${allowZero ? '>= 0' : '> 0'} and <= 2^52`, value);
  }
  return value;
}

export function checkTime(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(argument, 'a finite time in milliseconds on the scheduler clock', value);
  }
  return value;
}

export function checkFunction(argument: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, 'a function', value);
}

export function checkObject(argument: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(argument, 'an options object', value);
  return value as Record<string, unknown>;
}

export function checkBoolean(argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, 'a boolean', value);
  return value;
}
