// Checks of what a site passes, made before a resource reads or changes anything.
import { isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

export type Owner = string | number;

/** An options argument: undefined or a plain object. */
export function optionsOf<T extends object>(value: T | undefined, argument = 'options'): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError(argument, 'an object', value);
  return value;
}

export function absolutePath(argument: string, value: unknown): string {
  if (typeof value !== 'string' || !isAbsolute(value) || value.includes('\0')) throw new InvalidArgumentError(argument, 'an absolute path', value);
  return value;
}

export function optionalMode(argument: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0o7777) {
    throw new InvalidArgumentError(argument, 'permission bits as a number from 0 to 0o7777 (e.g. 0o644)', value);
  }
  return value;
}

const accountName = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/;

/** A user or group name, as useradd and groupadd accept them. */
export function accountNameOf(argument: string, value: unknown): string {
  if (typeof value !== 'string' || !accountName.test(value)) throw new InvalidArgumentError(argument, 'a user or group name (letters, digits, _ . -; at most 32)', value);
  return value;
}

/** An owner or group: a name, or a numeric id. */
export function optionalOwner(argument: string, value: unknown): Owner | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 32 - 1) return value;
  if (typeof value === 'string' && accountName.test(value)) return value;
  throw new InvalidArgumentError(argument, 'a user or group name, or a numeric id', value);
}

export function optionalId(argument: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= 2 ** 32 - 1) throw new InvalidArgumentError(argument, 'a numeric id', value);
  return value;
}

export function optionalBoolean(argument: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidArgumentError(argument, 'a boolean', value);
}

export function optionalString(argument: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.includes('\0')) throw new InvalidArgumentError(argument, 'a string', value);
  return value;
}

export function oneOf<const T extends string>(argument: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) throw new InvalidArgumentError(argument, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, value);
  return value as T;
}

/** Permission bits as people write them: `0640`. */
export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
