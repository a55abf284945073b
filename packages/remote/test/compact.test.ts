import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../src/index.js';
import { decodePayload, encodePayload } from '../src/wire/codec.js';
import { decodeCompact, encodeCompact, isCompact } from '../src/wire/compact.js';
import { quietRouter } from './helpers.js';

useLeakCheck();

const echo = new URL('../bench/local-tasks.ts', import.meta.url);
const plain = (tagged: unknown): unknown => tagged;

describe('compact payloads', () => {
  it('carry call messages and answers of primitives as JSON, and decodePayload tells them from v8 output', () => {
    const message = ['m', 'file:///tasks.js', null, 'echo', ['text', 1.5, -3, true, false, null, '\ud800 lone', '']];
    const compact = encodeCompact(message)!;
    expect(compact.toString()).toBe(JSON.stringify(message));
    expect(isCompact(compact)).toBe(true);
    expect(isCompact(encodePayload(message) as Buffer)).toBe(false);
    expect(decodePayload(compact, plain, 'c')).toEqual(message);
  });

  it('leave to v8 what JSON would not carry exactly: undefined, NaN, infinities, -0, objects, deep arrays, long strings', () => {
    for (const value of [undefined, Number.NaN, Number.POSITIVE_INFINITY, -0, 1n, {}, new Date(0), Buffer.from('x'), [[1]], 'x'.repeat(9000), Symbol('s')]) {
      expect(encodeCompact([1, value])).toBeUndefined();
      expect(encodeCompact([1, [value]])).toBeUndefined();
    }
  });

  it('refuses compact text that is not JSON, or holds an object or nesting deeper than one inner array', () => {
    for (const text of ['[', '[1,]', '[{"a":1}]', '[[{}]]', '[[[1]]]', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, '[{"__proto__":{"x":1}}]']) {
      expect(() => decodeCompact(Buffer.from(text), 'hostile')).toThrow(PayloadError);
      expect(() => decodePayload(Buffer.from(text), plain, 'hostile')).toThrow(expect.objectContaining({ code: 'ERR_X_REMOTE_BAD_PAYLOAD' }));
    }
  });

  it('give a context call the same arguments and answer as v8 would, whichever form each takes', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const values: unknown[] = ['x'.repeat(64), 0, -0, 1e300, Number.NaN, undefined, null, true, '\u0000\ud800', 'y'.repeat(20_000), [1, 'a', null], [[1]], { a: 1 }, 2n ** 70n];
    for (const value of values) expect(await ctx.call(echo, 'echo', value)).toEqual(value);
    expect(await ctx.call(echo, 'doNothing')).toBeUndefined();
    expect(Object.is(await ctx.call(echo, 'echo', -0), -0)).toBe(true);
  });
});
