import { describe, expect, it } from 'vitest';
import { Latch } from '@x/latch';

function roundTrip<T>(value: T): T {
  const latch = new Latch<T>({ capacity: 1 << 16 });
  latch.put(value);
  return latch.get();
}

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

const shared = { id: 1 };
const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;
const sparse = [1, , 3];
const named = Object.assign([1, 2], { label: 'extra' });
const nullPrototype = Object.assign(Object.create(null), { a: 1 });
const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "b": 2}');

describe('values put on a latch', () => {
  it.each([
    ['integers', [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)]],
    ['doubles and specials', [0.5, -0, Number.NaN, Infinity, -Infinity, 2 ** 53]],
    ['latin-1 and UTF-16 strings', ['', 'plain', 'café ÿ', '日本語', 'emoji 🎉', 'lone \ud800 surrogate']],
    ['booleans, null and undefined', [true, false, null, undefined]],
    ['plain objects', { a: 1, b: 'two', c: { d: [true, null] }, 10: 'index key', e: undefined }],
    ['arrays', [[], [1, 'a', { b: 2 }], new Array(3).fill(0)]],
    ['sparse arrays', sparse],
    ['arrays with named properties', named],
    ['shared references', { left: shared, right: shared }],
    ['cycles', cyclic],
    ['objects without a prototype', nullPrototype],
    ['a __proto__ own key', protoKey],
    ['class instances', new Point(1, 2)],
    ['Map, Set, Date, RegExp, BigInt', [new Map([[1, 'a']]), new Set(['s']), new Date(0), /x/gi, 10n ** 30n]],
    ['typed arrays and buffers', [new Uint8Array([1, 2, 3]), new Float64Array([0.25]), new ArrayBuffer(4)]],
    ['errors', new RangeError('bad')],
  ])('come back as their structured clone: %s', (_name, value) => {
    const copy = roundTrip(value);
    expect(copy).toStrictEqual(structuredClone(value));
  });

  it('keep the identity of shared references and cycles', () => {
    const both = roundTrip({ left: shared, right: shared });
    expect(both.left).toBe(both.right);
    const loop = roundTrip(cyclic);
    expect(loop.self).toBe(loop);
  });

  it('keep property order, with index keys first as in any object', () => {
    expect(Object.keys(roundTrip({ z: 1, 2: 'b', a: 2, 1: 'a' }))).toEqual(['1', '2', 'z', 'a']);
  });

  it('do not take over the prototype through a __proto__ key', () => {
    const copy = roundTrip(protoKey) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
