import { brand, hasBrand } from './brand.js';

const invalidArgumentBrand = brand('InvalidArgumentError');

/**
 * Thrown when an argument is of the wrong type or out of range; `instanceof` holds across installed
 * copies of @x/signals.
 */
export class InvalidArgumentError extends TypeError {
  readonly code = 'ERR_X_INVALID_ARG';
  /** The name of the argument that was rejected. */
  readonly argument: string;

  constructor(argument: string, expected: string, value: unknown) {
    super(`Expected \`${argument}\` to be ${expected}, got ${describe(value)}.`);
    this.argument = argument;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, invalidArgumentBrand);
  }
}
Object.defineProperty(InvalidArgumentError.prototype, 'name', { value: 'InvalidArgumentError' });
Object.defineProperty(InvalidArgumentError.prototype, invalidArgumentBrand, { value: true });

/** Describes a rejected value with its type, as error messages show it. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${String(value)} (${typeof value})`;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}
