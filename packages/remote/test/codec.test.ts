import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { RAW_SEGMENT_MIN, TAG, type Tagged, decodePayload, encodePayload, encodeTag } from '../src/codec.js';
import { RemoteError, SerializationError } from '../src/index.js';

useLeakCheck();

function roundTrip(value: unknown, revive: (tagged: Tagged) => unknown = (tagged) => tagged): unknown {
  const payload = encodePayload(value);
  const bytes = Array.isArray(payload) ? Buffer.concat(payload) : payload;
  return decodePayload(bytes, revive, 'ctx-name', Array.isArray(payload));
}

describe('the codec', () => {
  it('sends byte arrays from RAW_SEGMENT_MIN up as raw segments and rebuilds them as views', () => {
    const big = Buffer.alloc(RAW_SEGMENT_MIN, 9);
    const bytes = new Uint8Array(RAW_SEGMENT_MIN * 2).fill(4);
    const payload = encodePayload({ big, bytes, small: Buffer.from('s') });
    expect(Array.isArray(payload)).toBe(true);
    // The segment is the caller's memory itself: nothing was copied to encode it.
    expect((payload as Buffer[])[2]!.buffer).toBe(big.buffer);
    const back = roundTrip({ big, bytes, small: Buffer.from('s') }) as { big: Buffer; bytes: Uint8Array; small: Buffer };
    expect(Buffer.isBuffer(back.big) && back.big.equals(big)).toBe(true);
    expect(back.bytes.constructor).toBe(Uint8Array);
    expect(Buffer.from(back.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(back.small.toString()).toBe('s');
    expect(Array.isArray(encodePayload(Buffer.alloc(RAW_SEGMENT_MIN - 1)))).toBe(false);
  });

  it('refuses a raw segment reference outside the payload', () => {
    const forged = encodePayload({ [TAG]: 'b', o: 0, n: 10 });
    expect(() => decodePayload(forged as Buffer, (tagged) => tagged, 'c')).toThrow(RangeError);
  });

  it('turns objects with an encode tag into tagged values and back through the reviver', () => {
    class Handle {
      [encodeTag](): Tagged {
        return { [TAG]: 'c', id: 3, name: 'three' };
      }
    }
    const back = roundTrip(new Map([['h', [new Handle()]]]), (tagged) => `revived ${String(tagged['name'])}`);
    expect(back).toEqual(new Map([['h', ['revived three']]]));
  });

  it('carries errors with class name, message, code and cause; built-ins come back as themselves', () => {
    class QuotaError extends Error {
      code = 'E_QUOTA';
    }
    const back = roundTrip(new QuotaError('over', { cause: new TypeError('inner') })) as RemoteError;
    expect(back).toBeInstanceOf(RemoteError);
    expect(back).toMatchObject({ name: 'QuotaError', message: 'over', code: 'E_QUOTA', context: 'ctx-name' });
    expect(back.cause).toBeInstanceOf(TypeError);
    expect(back.stack).toMatch(/^QuotaError: over\n {4}at \[ctx-name\] /);
    const aggregate = roundTrip(new AggregateError([new RangeError('a')], 'many')) as AggregateError;
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors[0]).toBeInstanceOf(RangeError);
  });

  it('keeps an error whose cause cannot be serialized, with the cause as text', () => {
    const back = roundTrip(new Error('outer', { cause: { fn: () => 1 } })) as Error;
    expect(back.message).toBe('outer');
    expect(typeof back.cause).toBe('string');
  });

  it('throws SerializationError for functions and symbols', () => {
    expect(() => encodePayload({ f: () => 1 })).toThrow(SerializationError);
    expect(() => encodePayload(Symbol('s'))).toThrow(expect.objectContaining({ code: 'ERR_X_REMOTE_NOT_SERIALIZABLE' }));
  });
});
