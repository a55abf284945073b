// Turns values into record bytes and back. Every value is structured-cloned: the
// common small ones (primitives, plain objects and dense arrays of them, no shared
// references) are written by a compact codec that gives exactly what the
// structured clone algorithm gives, several times faster than node:v8 for small
// messages; everything else goes through v8.serialize. A v8 record starts with its
// version tag 0xFF, which no tag below uses.

import { deserialize, serialize } from 'node:v8';
import { types } from 'node:util';

const UNDEFINED = 1;
const NULL = 2;
const TRUE = 3;
const FALSE = 4;
const INT32 = 5;
const FLOAT64 = 6;
const LATIN1 = 7; // u32 length, then one byte per character
const UTF16 = 8; // u32 length, then two bytes (little-endian code unit) per character
const OBJECT = 9; // u32 property count, then (key as a LATIN1/UTF16 string, value) pairs
const ARRAY = 10; // u32 length, then each element
const V8 = 0xff;

/** Raised inside the encoder when a value needs node:v8. */
const FALLBACK = Symbol('fallback');
const MAX_DEPTH = 32;
const NOT_LATIN1 = /[^\u0000-\u00ff]/;

let out = Buffer.allocUnsafeSlow(4096);
let at = 0;
const seen = new Set<object>();

function reserve(bytes: number): void {
  if (at + bytes <= out.length) return;
  const larger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, at + bytes));
  out.copy(larger, 0, 0, at);
  out = larger;
}

// Strings up to this length are copied by a loop in JS: cheaper than a call into C++.
const SHORT = 24;

function writeString(value: string): void {
  const length = value.length;
  if (length <= SHORT) {
    reserve(5 + 2 * length);
    let oneByte = true;
    for (let index = 0; index < length; index++) {
      if (value.charCodeAt(index) > 0xff) {
        oneByte = false;
        break;
      }
    }
    out[at] = oneByte ? LATIN1 : UTF16;
    out.writeUInt32LE(length, at + 1);
    at += 5;
    if (oneByte) {
      for (let index = 0; index < length; index++) out[at++] = value.charCodeAt(index);
    } else {
      for (let index = 0; index < length; index++) {
        const unit = value.charCodeAt(index);
        out[at++] = unit & 0xff;
        out[at++] = unit >>> 8;
      }
    }
    return;
  }
  const oneByte = !NOT_LATIN1.test(value);
  reserve(5 + length * (oneByte ? 1 : 2));
  out[at] = oneByte ? LATIN1 : UTF16;
  out.writeUInt32LE(length, at + 1);
  at += 5;
  at += out.write(value, at, oneByte ? 'latin1' : 'utf16le');
}

function writeValue(value: unknown, depth: number): void {
  switch (typeof value) {
    case 'number':
      reserve(9);
      if ((value | 0) === value && !Object.is(value, -0)) {
        out[at] = INT32;
        out.writeInt32LE(value, at + 1);
        at += 5;
      } else {
        out[at] = FLOAT64;
        out.writeDoubleLE(value, at + 1);
        at += 9;
      }
      return;
    case 'string':
      return writeString(value);
    case 'boolean':
    case 'undefined':
      reserve(1);
      out[at++] = value === undefined ? UNDEFINED : value ? TRUE : FALSE;
      return;
    case 'object':
      return writeObject(value, depth);
    default:
      throw FALLBACK;
  }
}

function writeObject(value: object | null, depth: number): void {
  if (value === null) {
    reserve(1);
    out[at++] = NULL;
    return;
  }
  // Shared references, cycles, deep trees, class instances, proxies and exotic objects: node:v8 keeps them exact.
  if (depth >= MAX_DEPTH || seen.has(value) || types.isProxy(value)) throw FALLBACK;
  seen.add(value);
  const prototype = Object.getPrototypeOf(value);
  if (Array.isArray(value) && prototype === Array.prototype) {
    const length = value.length;
    // Index keys come first and in order, so `length` keys ending with the last index mean no holes and
    // no named properties (which a clone would keep).
    const keys = Object.keys(value);
    if (keys.length !== length || (length > 0 && keys[length - 1] !== String(length - 1))) throw FALLBACK;
    reserve(5);
    out[at] = ARRAY;
    out.writeUInt32LE(length, at + 1);
    at += 5;
    for (let index = 0; index < length; index++) writeValue(value[index], depth + 1);
    return;
  }
  if (prototype !== Object.prototype && prototype !== null) throw FALLBACK;
  const keys = Object.keys(value);
  reserve(5);
  out[at] = OBJECT;
  out.writeUInt32LE(keys.length, at + 1);
  at += 5;
  for (const key of keys) {
    writeString(key);
    writeValue((value as Record<string, unknown>)[key], depth + 1);
  }
}

/**
 * Encodes a value. The returned bytes are only valid until the next call: copy them to keep them.
 * @throws what `v8.serialize` throws for a value the structured clone algorithm refuses.
 */
export function encode(value: unknown): Uint8Array {
  at = 0;
  try {
    writeValue(value, 0);
    return out.subarray(0, at);
  } catch (error) {
    if (error !== FALLBACK) throw error;
    return serialize(value);
  } finally {
    seen.clear();
  }
}

let input: Buffer = out;
let position = 0;

function readString(tag: number): string {
  const length = input.readUInt32LE(position + 1);
  const start = position + 5;
  if (length <= SHORT) {
    let text = '';
    if (tag === LATIN1) {
      for (let index = start; index < start + length; index++) text += String.fromCharCode(input[index]!);
      position = start + length;
    } else {
      for (let index = start; index < start + 2 * length; index += 2) {
        text += String.fromCharCode(input[index]! | (input[index + 1]! << 8));
      }
      position = start + 2 * length;
    }
    return text;
  }
  if (tag === LATIN1) {
    position = start + length;
    return input.toString('latin1', start, position);
  }
  position = start + 2 * length;
  return input.toString('utf16le', start, position);
}

function readValue(): unknown {
  const tag = input[position]!;
  switch (tag) {
    case UNDEFINED:
      position++;
      return undefined;
    case NULL:
      position++;
      return null;
    case TRUE:
      position++;
      return true;
    case FALSE:
      position++;
      return false;
    case INT32:
      position += 5;
      return input.readInt32LE(position - 4);
    case FLOAT64:
      position += 9;
      return input.readDoubleLE(position - 8);
    case LATIN1:
    case UTF16:
      return readString(tag);
    case ARRAY: {
      const length = input.readUInt32LE(position + 1);
      position += 5;
      const array = new Array<unknown>(length);
      for (let index = 0; index < length; index++) array[index] = readValue();
      return array;
    }
    case OBJECT: {
      const count = input.readUInt32LE(position + 1);
      position += 5;
      const object: Record<string, unknown> = {};
      for (let index = 0; index < count; index++) {
        const key = readString(input[position]!);
        if (key === '__proto__') {
          // Assignment would set the prototype; a clone has an own property of that name.
          Object.defineProperty(object, key, { value: readValue(), enumerable: true, writable: true, configurable: true });
        } else {
          object[key] = readValue();
        }
      }
      return object;
    }
    default:
      throw new Error(`@x/latch: unknown record tag ${tag}. This is a bug in x.`);
  }
}

/** Decodes the bytes `encode` produced (`bytes` may be a view that is reused afterwards). */
export function decode(bytes: Buffer): unknown {
  if (bytes[0] === V8) return deserialize(bytes);
  input = bytes;
  position = 0;
  return readValue();
}
