// Error classes are branded with a registered symbol so that two loaded copies of
// this package recognise each other's errors: `instanceof` compares constructors,
// which differ between copies, and `Symbol.for` keys do not.

/** Marks `cls` so that `value instanceof cls` holds for any object carrying the brand `@x/latch.<name>`. */
export function brandClass(cls: abstract new (...args: never[]) => unknown, name: string): void {
  const key = Symbol.for(`@x/latch.${name}`);
  Object.defineProperty(cls.prototype, 'name', { value: name, configurable: true });
  Object.defineProperty(cls.prototype, key, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (value: unknown) =>
      typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[key] === true,
  });
}
