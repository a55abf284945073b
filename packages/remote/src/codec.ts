import { deserialize, serialize } from 'node:v8';
import { RemoteError } from './errors.js';

/**
 * Payloads are Node's v8 serializer format: it carries Map, Set, Date, BigInt, RegExp, typed arrays
 * and Buffers, handles cycles, and never runs code while decoding. Three kinds of value need more than
 * their own properties to travel, so they are replaced by tagged plain objects on the way out and
 * rebuilt on the way in: Contexts and Senders (objects with an `[encodeTag]()` method) and errors.
 * The tag is the property `TAG` ('\u0000x'): a plain object that has it is taken for a tagged value.
 */
export const TAG = '\u0000x';

/** Objects that travel as a tagged value implement this and return `{ [TAG]: kind, ... }`. */
export const encodeTag: unique symbol = Symbol.for('@x/remote.encode');

export interface Tagged {
  [TAG]: string;
  [key: string]: unknown;
}

/** Rebuilds a tagged value other than an error (a Context or Sender) from its tag. */
export type Reviver = (tagged: Tagged) => unknown;

const BUILTIN_ERRORS: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Encodes `value` for the wire. @throws DataCloneError (a DOMException) for functions and symbols. */
export function encodePayload(value: unknown): Buffer {
  return serialize(encodeValue(value, undefined));
}

/** Decodes a payload; `contextName` names the context in rebuilt errors' stacks. */
export function decodePayload(payload: Buffer, revive: Reviver, contextName: string): unknown {
  const value: unknown = deserialize(payload);
  return typeof value === 'object' && value !== null ? reviveValue(value, revive, contextName, undefined) : value;
}

function encodeValue(value: unknown, path: Set<object> | undefined): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  const custom = (value as { [encodeTag]?: () => Tagged })[encodeTag];
  if (typeof custom === 'function') return custom.call(value);
  if (value instanceof Error) return encodeError(value, path);
  path ??= new Set();
  if (path.has(value)) return value;
  path.add(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        const encoded = encodeValue(item, path);
        if (encoded !== item) copy ??= value.slice();
        if (copy) copy[index] = encoded;
      }
      return copy ?? value;
    }
    if (value instanceof Map) {
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [key, item] of value) {
        const encodedKey = encodeValue(key, path);
        const encodedItem = encodeValue(item, path);
        changed ||= encodedKey !== key || encodedItem !== item;
        entries.push([encodedKey, encodedItem]);
      }
      return changed ? new Map(entries) : value;
    }
    if (value instanceof Set) {
      let changed = false;
      const items: unknown[] = [];
      for (const item of value) {
        const encoded = encodeValue(item, path);
        changed ||= encoded !== item;
        items.push(encoded);
      }
      return changed ? new Set(items) : value;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const encoded = encodeValue(item, path);
      if (encoded !== item) copy ??= { ...(value as Record<string, unknown>) };
      if (copy) copy[key] = encoded;
    }
    return copy ?? value;
  } finally {
    path.delete(value);
  }
}

function encodeError(error: Error, path: Set<object> | undefined): Tagged {
  const tagged: Tagged = { [TAG]: 'e', name: errorName(error), message: String(error.message), stack: String(error.stack ?? '') };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') tagged['code'] = code;
  if ('cause' in error && error.cause !== undefined) {
    path ??= new Set();
    if (!path.has(error)) {
      path.add(error);
      tagged['cause'] = safeEncode(error.cause, path);
      path.delete(error);
    }
  }
  if (error instanceof AggregateError) tagged['errors'] = error.errors.map((item: unknown) => safeEncode(item, path));
  return tagged;
}

/** A cause that cannot be serialized must not lose the error it explains: it travels as its text. */
function safeEncode(value: unknown, path: Set<object> | undefined): unknown {
  try {
    const encoded = encodeValue(value, path);
    serialize(encoded);
    return encoded;
  } catch {
    return String(value);
  }
}

function errorName(error: Error): string {
  const name = error.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : String(error.name);
}

function reviveValue(value: object, revive: Reviver, contextName: string, path: Set<object> | undefined): unknown {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  path ??= new Set();
  if (path.has(value)) return value;
  path.add(value);
  try {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        if (typeof item === 'object' && item !== null) value[index] = reviveValue(item, revive, contextName, path);
      }
      return value;
    }
    if (value instanceof Map) {
      const entries = [...value];
      let changed = false;
      for (const entry of entries) {
        for (const side of [0, 1] as const) {
          const item: unknown = entry[side];
          if (typeof item === 'object' && item !== null) {
            const revived = reviveValue(item, revive, contextName, path);
            changed ||= revived !== item;
            entry[side] = revived;
          }
        }
      }
      if (changed) {
        value.clear();
        for (const [key, item] of entries) value.set(key, item);
      }
      return value;
    }
    if (value instanceof Set) {
      const items = [...value];
      let changed = false;
      for (let index = 0; index < items.length; index++) {
        const item: unknown = items[index];
        if (typeof item === 'object' && item !== null) {
          const revived = reviveValue(item, revive, contextName, path);
          changed ||= revived !== item;
          items[index] = revived;
        }
      }
      if (changed) {
        value.clear();
        for (const item of items) value.add(item);
      }
      return value;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'object' && item !== null) record[key] = reviveValue(item, revive, contextName, path);
    }
    const kind = record[TAG];
    if (typeof kind !== 'string') return value;
    return kind === 'e' ? reviveError(record as Tagged, contextName) : revive(record as Tagged);
  } finally {
    path.delete(value);
  }
}

function reviveError(tagged: Tagged, contextName: string): Error {
  const name = typeof tagged['name'] === 'string' ? tagged['name'] : 'Error';
  const message = typeof tagged['message'] === 'string' ? tagged['message'] : '';
  const options = 'cause' in tagged ? { cause: tagged['cause'] } : undefined;
  const Builtin = BUILTIN_ERRORS[name];
  let error: Error & { code?: unknown; context?: string };
  if (Builtin) {
    error = new Builtin(message, options);
    Object.defineProperty(error, 'context', { value: contextName, enumerable: false, configurable: true, writable: true });
  } else if (name === 'AggregateError' && Array.isArray(tagged['errors'])) {
    error = new AggregateError(tagged['errors'], message, options);
    Object.defineProperty(error, 'context', { value: contextName, enumerable: false, configurable: true, writable: true });
  } else {
    error = new RemoteError(name, message, contextName, options);
  }
  if (typeof tagged['code'] === 'string' || typeof tagged['code'] === 'number') {
    Object.defineProperty(error, 'code', { value: tagged['code'], enumerable: true, configurable: true, writable: true });
  }
  const stack = typeof tagged['stack'] === 'string' ? tagged['stack'] : `${name}: ${message}`;
  error.stack = stack.replace(/^( {4}at )/gm, `$1[${contextName}] `);
  return error;
}
