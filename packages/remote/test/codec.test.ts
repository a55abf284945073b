import { serialize } from 'node:v8';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { RAW_SEGMENT_MIN, TAG, type Tagged, decodePayload, encodePayload, encodeTag } from '../src/wire/codec.js';
import { RemoteError, SerializationError } from '../src/index.js';
import { DECLARED_ALLOWANCE, SHARED, TAGGED, checkPayload } from '../src/wire/payload-check.js';
import { MAX_DEPTH, PayloadError } from '../src/wire/payload-error.js';
import { varint } from './helpers.js';

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
    expect(() => decodePayload(forged as Buffer, (tagged) => tagged, 'c')).toThrow(PayloadError);
    const segmented = Buffer.concat([Buffer.from([0, 0, 0, 0]), encodePayload({ [TAG]: 'b', o: 0.5, n: 1 }) as Buffer]);
    segmented.writeUInt32BE(segmented.length - 4, 0);
    expect(() => decodePayload(Buffer.concat([segmented, Buffer.alloc(4)]), (tagged) => tagged, 'c', true)).toThrow(expect.objectContaining({ reason: 'format' }));
    expect(() => decodePayload(Buffer.from([0, 0, 1, 0, 0xff]), (tagged) => tagged, 'c', true)).toThrow(expect.objectContaining({ code: 'ERR_X_REMOTE_BAD_PAYLOAD' }));
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

/** v8 serializer bytes written by hand (format 15), as a hostile context would. */
function v8(hex: string): Buffer {
  return Buffer.from(`ff0f${hex.replace(/\s+/g, '')}`, 'hex');
}

/** Decodes `bytes` as from context 'hostile', counting the reviver's calls. */
function decodeCounting(bytes: Buffer): { value: unknown; revived: number } {
  let revived = 0;
  const value = decodePayload(bytes, (tagged) => {
    revived++;
    return { revived: tagged['id'] };
  }, 'hostile');
  return { value, revived };
}

function refusal(bytes: Buffer): PayloadError {
  try {
    decodePayload(bytes, (tagged) => tagged, 'hostile');
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_BAD_PAYLOAD', context: 'hostile' });
    expect((error as Error).message).toMatch(/^A message from hostile was refused: /);
    return error as PayloadError;
  }
  throw new Error(`decoded ${bytes.toString('hex')} instead of refusing it`);
}

const TAG_KEY = '22020078'; // the one-byte string '\u0000x'

describe('decoding hostile payloads', () => {
  // Each case is a few bytes that v8 alone would turn into seconds of work or hundreds of MiB (a sparse
  // array of length 2^25 - 1 is 13 bytes, 256 MiB and 750 ms inside v8.deserialize), or a reviver walk
  // over a declared length (2^32 - 1: about 27 s). The vitest timeout is the hang detector.

  it('refuses sparse arrays whose declared length the payload does not carry (2^32 - 1, 2^25 - 1, 2^24)', () => {
    for (const length of [2 ** 32 - 1, 2 ** 25 - 1, 2 ** 24]) {
      const bytes = v8(`61 ${varint(length)} 40 00 ${varint(length)}`);
      expect(bytes.length).toBeLessThanOrEqual(15);
      expect(refusal(bytes)).toMatchObject({ reason: 'length' });
    }
    const natural: unknown[] = [];
    natural.length = 2 ** 32 - 1;
    expect(refusal(serialize(natural))).toMatchObject({ reason: 'length' });
    // The total counts, not each array: 300 arrays of 4,000 fit one by one, not together.
    const many = v8(`41 ${varint(300)} ${`61 ${varint(4000)} 40 00 ${varint(4000)}`.repeat(300)} 24 00 ${varint(300)}`);
    expect(refusal(many).reason).toBe('length');
  });

  it('decodes a sparse array within the allowance, holes and all, walking it by its real length', () => {
    const sparse: unknown[] = [];
    sparse[DECLARED_ALLOWANCE - 10] = { [TAG]: 'c', id: 7 };
    const { value, revived } = decodeCounting(serialize(sparse));
    expect(value).toHaveLength(DECLARED_ALLOWANCE - 9);
    expect((value as unknown[])[DECLARED_ALLOWANCE - 10]).toEqual({ revived: 7 });
    expect(revived).toBe(1);
  });

  it('refuses array properties that would lengthen an array past what it declared', () => {
    // A dense array of 0 elements with an element at 2^32 - 2, in every key encoding v8 accepts.
    for (const key of [`55 ${varint(2 ** 32 - 2)}`, '4e 0000c0ffffffef41', '220a 34323934393637323934', `49 ${varint(2 * 5000)}`]) {
      expect(refusal(v8(`41 00 ${key} 4902 24 01 00`)).reason).toBe('length');
    }
    // A sparse array of length 3 with an element at 3, and an array with a `length` property.
    expect(refusal(v8('61 03 4906 4902 40 01 03')).reason).toBe('length');
    expect(refusal(v8(`41 00 2206${Buffer.from('length').toString('hex')} 55 ${varint(2 ** 32 - 1)} 24 01 00`)).reason).toBe('length');
    // Keys that are not indices stay properties: a negative number, 2^32 - 1, a non-canonical index.
    const array = decodePayload(v8(`41 00 4901 4902 55 ${varint(2 ** 32 - 1)} 4904 2202 3037 4906 24 03 00`), (tagged) => tagged, 'c') as unknown[] & Record<string, number>;
    expect(array).toHaveLength(0);
    expect({ ...array }).toEqual({ '-1': 1, '4294967295': 2, '07': 3 });
  });

  it('decodes an array-like object with a huge `length` as the plain object it is', () => {
    const { value, revived } = decodeCounting(serialize({ [TAG]: 'c', id: 1, length: 2 ** 32 - 1, 0: 'a' }));
    expect(value).toEqual({ revived: 1 });
    expect(revived).toBe(1);
    expect(decodePayload(serialize({ length: 2 ** 53 }), (tagged) => tagged, 'c')).toEqual({ length: 2 ** 53 });
  });

  it('refuses byte arrays, strings and dense arrays that claim more bytes than the payload has', () => {
    const cases = [
      `5c 0a ${varint(2 ** 32 - 1)} 0000`, // a Buffer (Node's host object) of 4 GiB
      `5c 04 ${varint(2 ** 31)} 0000`, // a Uint16Array
      `42 ${varint(2 ** 31)} 00`, // an ArrayBuffer
      `22 ${varint(2 ** 32 - 1)} 61`, // a string
      `63 ${varint(2 ** 30)} 6100`, // a two-byte string
      `41 ${varint(2 ** 32 - 1)} 5f`, // a dense array: v8 checks this one, after allocating nothing
      `41 ${varint(100)} ${'5f'.repeat(50)}`, // a dense array whose length the payload could carry, but doesn't
      `5a ${varint(2 ** 31 - 2)} 00`, // a BigInt
    ];
    for (const hex of cases) expect(refusal(v8(hex)).reason).toBe('format');
    // A view longer than its buffer: the check lets v8 refuse it (nothing is allocated for a view).
    expect(refusal(v8(`42 04 00000000 56 42 00 ${varint(2 ** 32 - 1)} 00`)).reason).toBe('format');
    // A resizable ArrayBuffer's reserve counts as declared length.
    expect(refusal(v8(`7e 00 ${varint(2 ** 32 - 1)}`)).reason).toBe('length');
  });

  it('refuses nesting deeper than MAX_DEPTH (100,000 arrays, objects, maps, error causes) and accepts MAX_DEPTH', () => {
    const deep = 100_000;
    expect(refusal(v8(`${'4101'.repeat(deep)}5f${'240001'.repeat(deep)}`)).reason).toBe('depth');
    expect(refusal(v8(`${'6f 2201 61'.repeat(deep)}5f${'7b01'.repeat(deep)}`)).reason).toBe('depth');
    expect(refusal(v8(`${'3b 5f'.repeat(deep)}5f${'3a02'.repeat(deep)}`)).reason).toBe('depth');
    expect(refusal(v8(`${'72 63'.repeat(deep)}5f${'2e'.repeat(deep)}`)).reason).toBe('depth');
    // Truncated: refused on depth before the missing bytes are noticed.
    expect(refusal(v8('4101'.repeat(deep))).reason).toBe('depth');
    let nested: unknown = { [TAG]: 'c', id: 1 };
    for (let level = 1; level < MAX_DEPTH; level++) nested = [nested];
    expect(decodeCounting(serialize(nested)).revived).toBe(1);
    expect(refusal(serialize([nested])).reason).toBe('depth');
  });

  it('walks each object once however many references share it (2^40 paths, 1 revival)', () => {
    let shared: unknown = { [TAG]: 'c', id: 5 };
    for (let level = 0; level < 40; level++) shared = [shared, shared];
    const bytes = serialize(shared);
    expect(bytes.length).toBeLessThan(400);
    const { value, revived } = decodeCounting(bytes);
    expect(revived).toBe(1);
    let leaf: unknown = value;
    for (let level = 0; level < 40; level++) leaf = (leaf as unknown[])[level % 2];
    expect(leaf).toEqual({ revived: 5 });
    // A map of 100,000 entries that all hold one tagged object: one revival too.
    const target = { [TAG]: 'c', id: 6 };
    const map = new Map(Array.from({ length: 100_000 }, (_, index) => [index, target] as const));
    const decoded = decodeCounting(serialize(map));
    expect(decoded.revived).toBe(1);
    const back = decoded.value as Map<number, unknown>;
    expect(back.size).toBe(100_000);
    expect(back.get(99_999)).toBe(back.get(0));
  });

  it('decodes a large Map and Set (their sizes come from their bytes) and refuses a lying end count', () => {
    const map = new Map(Array.from({ length: 50_000 }, (_, index) => [`k${index}`, index] as const));
    const set = new Set(Array.from({ length: 50_000 }, (_, index) => index));
    expect(roundTrip(map)).toEqual(map);
    expect(roundTrip(set)).toEqual(set);
    expect(refusal(v8(`3b 4902 4904 3a ${varint(2 ** 32 - 1)}`)).reason).toBe('format');
  });

  it('refuses what @x/remote never sends: other format versions, unknown tags, over-long varints, references forward', () => {
    expect(refusal(Buffer.from('ff0d5f', 'hex')).reason).toBe('format');
    expect(refusal(Buffer.from('5f', 'hex')).reason).toBe('format');
    expect(refusal(Buffer.alloc(0)).reason).toBe('format');
    for (const hex of ['3f 01 5f', '74 00', '75 00', '70 00', '57 00', '2d', '49 8080808080 00', '5e 05', `6f ${TAG_KEY}`]) {
      expect(refusal(v8(hex)).reason, hex).toBe('format');
    }
  });

  it('accepts everything the serializer writes: every kind of value, references, views of shared buffers', () => {
    const buffer = new ArrayBuffer(8);
    const object = { a: 1 };
    const array: unknown[] & { extra?: number } = [1, , 'three'];
    array.extra = 4;
    const value = {
      numbers: [0, -1, 2 ** 31, 1.5, Number.NaN, -0, 12n, -(2n ** 100n)],
      strings: ['', 'ascii', 'ünï', '\u1234', 'x'.repeat(1000)],
      objects: [new Date(0), /a+b/giu, new Map([[object, object]]), new Set([object]), new String('s'), new Number(1), new Boolean(false), Object(2n)],
      bytes: [Buffer.from('hi'), new Uint16Array([1, 2]), buffer, new DataView(buffer, 2), new Float64Array(buffer)],
      array,
      errors: [new TypeError('t', { cause: object }), new Error('e')],
      keys: { '\u1234': 1, 7: 2, 4294967295: 3 },
    };
    expect(() => checkPayload(serialize(value), TAG)).not.toThrow();
    const back = decodePayload(serialize(value), (tagged) => tagged, 'c') as typeof value;
    expect(back.objects[2]).toEqual(new Map([[object, object]]));
    expect(back.bytes[3]).toEqual(new DataView(buffer, 2));
    // Node writes views as copies; v8's own form (a view after an ArrayBuffer or a reference to one) decodes too.
    const views = decodePayload(v8('41 03 42 04 01020304 5e 01 56 42 01 02 00 5e 01 56 42 00 04 00 240003'), (tagged) => tagged, 'c') as [ArrayBuffer, Uint8Array, Uint8Array];
    expect(views[1]).toEqual(new Uint8Array([2, 3]));
    expect(views[1].buffer).toBe(views[0]);
    expect(views[2].buffer).toBe(views[0]);
    // The view tag consumes the buffer before it: as the only element, [buffer, view] is one view.
    expect(decodePayload(v8('41 01 42 02 0102 56 42 00 02 00 240001'), (tagged) => tagged, 'c')).toEqual([new Uint8Array([1, 2])]);
    expect(back.array).toEqual(array);
    expect(back.keys).toEqual(value.keys);
  });

  it('skips the walk when no object carries the tag key, and walks when one does in any string encoding', () => {
    expect(checkPayload(serialize([{ a: 1 }, new Map([['\u0000x', 1]]), ['\u0000x']]), TAG)).toBe(0);
    expect(checkPayload(serialize([{ a: { [TAG]: 'c' } }]), TAG)).toBe(TAGGED);
    const shared = { [TAG]: 'c' };
    expect(checkPayload(serialize([shared, shared]), TAG)).toBe(TAGGED | SHARED);
    // The same key as a two-byte and a UTF-8 string: v8 makes the same property of each.
    expect(checkPayload(v8(`6f 63 04 00007800 2201 63 7b01`), TAG)).toBe(TAGGED);
    expect(checkPayload(v8(`6f 53 02 0078 2201 63 7b01`), TAG)).toBe(TAGGED);
    expect(decodeCounting(v8(`6f 53 02 0078 2201 63 2202 6964 4902 7b02`)).value).toEqual({ revived: 1 });
  });
});
