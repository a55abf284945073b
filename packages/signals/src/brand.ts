// Classes are branded with a registered symbol so that two loaded copies of this
// package recognise each other's errors: `instanceof` compares constructors,
// which differ between copies, and `Symbol.for` keys do not.

export function brand(name: string): symbol {
  return Symbol.for(`@x/signals.${name}`);
}

export function hasBrand(value: unknown, key: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[key] === true;
}
