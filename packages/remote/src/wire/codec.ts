import { deserialize, serialize } from 'node:v8';
import { RemoteError, SerializationError } from '../errors.js';
import { decodeCompact, isCompact } from './compact.js';
import { SHARED, TAGGED, checkPayload } from './payload-check.js';
import { MAX_DEPTH, PayloadError, PayloadRefusal } from './payload-error.js';

/**
 * Payloads are Node's v8 serializer format (calls and answers of only primitives travel as JSON text
 * instead: compact.ts, told apart by their first byte): it carries Map, Set, Date, BigInt, RegExp, typed arrays
 * and Buffers, handles cycles, and never runs code while decoding. Three kinds of value need more than
 * their own properties to travel, so they are replaced by tagged plain objects on the way out and
 * rebuilt on the way in: Contexts and Senders (objects with an `[encodeTag]()` method) and errors.
 * The tag is the property `TAG` ('\u0000x'): a plain object that has it is taken for a tagged value.
 *
 * Decoding trusts nothing: payload-check.ts parses every payload before v8 reads it and refuses one
 * whose decoding would cost more than its bytes, and the reviver visits each object once, only when
 * the check saw a tag key at all.
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

/** The built-in classes an error arrives as (a plain `Error` arrives as a RemoteError, as other classes do). */
const BUILTIN_ERRORS = new Map<string, ErrorConstructor>([
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

/**
 * An error's own fields (`status`, `path`, Node's `errno` and `syscall`...) travel up to this many; the
 * receiver takes no more either, so a context cannot bloat an error it sends.
 */
export const MAX_ERROR_FIELDS = 64;

/** Own properties an error carries in the tagged value itself, never as fields. */
const CARRIED = new Set(['name', 'message', 'stack', 'code', 'cause', 'errors', '__proto__']);

/** Rewrites an error's message and stack as they arrive (the root maps module keys back to files). */
export type ErrorText = (text: string) => string;

/**
 * Byte arrays at least this large skip the v8 serializer (which copies them through JavaScript at a
 * few hundred MiB/s): they travel as raw segments after the serialized part and arrive as views into
 * the received payload, so a large Buffer is never copied by the codec on either side.
 */
export const RAW_SEGMENT_MIN = 32 * 1024;

/**
 * An encoded payload: one Buffer, or (when it has raw segments) the parts to write one after another:
 * a 4-byte big-endian length of the serialized part, the serialized part, then each raw segment.
 */
export type Payload = Buffer | Buffer[];

export function payloadLength(payload: Payload): number {
  if (!Array.isArray(payload)) return payload.length;
  let length = 0;
  for (const part of payload) length += part.length;
  return length;
}

interface EncodeState {
  path: Set<object> | undefined;
  raw: Buffer[] | undefined;
  rawLength: number;
  /** Keep byte arrays inside the serialized part (an error's cause must decode on its own). */
  inline?: boolean;
}

/**
 * Encodes `value` for the wire; `raw` says the result carries raw segments (frame encoding 3).
 * @throws DataCloneError (a DOMException) for functions and symbols.
 */
export function encodePayload(value: unknown): Payload {
  const state: EncodeState = { path: undefined, raw: undefined, rawLength: 0 };
  let serialized: Buffer;
  try {
    serialized = serialize(encodeValue(value, state));
  } catch (error) {
    throw new SerializationError(error as Error);
  }
  if (state.raw === undefined) return serialized;
  const prefix = Buffer.allocUnsafe(4);
  prefix.writeUInt32BE(serialized.length, 0);
  return [prefix, serialized, ...state.raw];
}

/**
 * The context the message being encoded goes to (-1 between encodings): a value that travels (a
 * Sender) reads it from its `encodeTag` method to learn which context now holds it.
 */
export const encodeState = { destination: -1 };

/** Encodes `value` for a message to context `destination` (see encodeState). @throws as encodePayload. */
export function encodeFor(destination: number, value: unknown): Payload {
  encodeState.destination = destination;
  try {
    return encodePayload(value);
  } finally {
    encodeState.destination = -1;
  }
}

/**
 * Decodes a payload; `contextName` names the sender in errors and in rebuilt errors' stacks;
 * `segmented` for encoding 3; `errorText` rewrites each rebuilt error's message and stack. Time and
 * memory are proportional to the payload's size.
 * @throws PayloadError (`ERR_X_REMOTE_BAD_PAYLOAD`) for a payload that breaks the decoding limits or
 * that v8 cannot read.
 */
export function decodePayload(payload: Buffer, revive: Reviver, contextName: string, segmented = false, errorText?: ErrorText): unknown {
  if (!segmented && isCompact(payload)) return decodeCompact(payload, contextName);
  let serialized = payload;
  let raw: Buffer | undefined;
  if (segmented) {
    const length = payload.length < 4 ? -1 : payload.readUInt32BE(0);
    if (length < 0 || length > payload.length - 4) throw new PayloadError('format', `a segmented payload of ${payload.length} bytes is shorter than its length prefix says`, contextName);
    serialized = payload.subarray(4, 4 + length);
    raw = payload.subarray(4 + length);
  }
  let shape: number;
  let value: unknown;
  try {
    shape = checkPayload(serialized, TAG);
    value = deserialize(serialized);
  } catch (error) {
    if (error instanceof PayloadRefusal) throw new PayloadError(error.reason, error.detail, contextName);
    throw new PayloadError('format', `v8 could not read it (${(error as Error).message})`, contextName, { cause: error });
  }
  if ((shape & TAGGED) === 0 || typeof value !== 'object' || value === null) return value;
  return reviveValue(value, { revive, contextName, raw, errorText, seen: (shape & SHARED) === 0 ? undefined : new Map() }, 0);
}

function encodeValue(value: unknown, state: EncodeState): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ArrayBuffer.isView(value)) {
    if (state.inline === true || value.byteLength < RAW_SEGMENT_MIN || (value.constructor !== Buffer && value.constructor !== Uint8Array)) return value;
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    (state.raw ??= []).push(bytes);
    const tagged: Tagged = { [TAG]: 'b', o: state.rawLength, n: bytes.length, u: value.constructor === Uint8Array };
    state.rawLength += bytes.length;
    return tagged;
  }
  if (value instanceof ArrayBuffer) return value;
  const custom = (value as { [encodeTag]?: () => Tagged })[encodeTag];
  if (typeof custom === 'function') return custom.call(value);
  if (value instanceof Error) return encodeError(value, state);
  const path = (state.path ??= new Set());
  if (path.has(value)) return value;
  path.add(value);
  try {
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        const encoded = encodeValue(item, state);
        if (encoded !== item) copy ??= value.slice();
        if (copy) copy[index] = encoded;
      }
      return copy ?? value;
    }
    if (value instanceof Map) {
      let changed = false;
      const entries: [unknown, unknown][] = [];
      for (const [key, item] of value) {
        const encodedKey = encodeValue(key, state);
        const encodedItem = encodeValue(item, state);
        changed ||= encodedKey !== key || encodedItem !== item;
        entries.push([encodedKey, encodedItem]);
      }
      return changed ? new Map(entries) : value;
    }
    if (value instanceof Set) {
      let changed = false;
      const items: unknown[] = [];
      for (const item of value) {
        const encoded = encodeValue(item, state);
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
      const encoded = encodeValue(item, state);
      if (encoded !== item) copy ??= { ...(value as Record<string, unknown>) };
      if (copy) copy[key] = encoded;
    }
    return copy ?? value;
  } finally {
    path.delete(value);
  }
}

function encodeError(error: Error, state: EncodeState): Tagged {
  const tagged: Tagged = { [TAG]: 'e', name: errorName(error), message: String(error.message), stack: String(error.stack ?? '') };
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') tagged['code'] = code;
  const path = (state.path ??= new Set());
  // An error met again inside its own cause or fields travels as its name, message and stack alone.
  if (path.has(error)) return tagged;
  path.add(error);
  try {
    if ('cause' in error && error.cause !== undefined) tagged['cause'] = textIfUnserializable(error.cause, state);
    if (error instanceof AggregateError) tagged['errors'] = error.errors.map((item: unknown) => textIfUnserializable(item, state));
    const fields = encodeFields(error, state);
    if (fields !== undefined) tagged['f'] = fields;
  } finally {
    path.delete(error);
  }
  return tagged;
}

/** The error's own enumerable fields that serialize (a function or a socket in one is left behind). */
function encodeFields(error: Error, state: EncodeState): Record<string, unknown> | undefined {
  let fields: Record<string, unknown> | undefined;
  let count = 0;
  for (const key of Object.keys(error)) {
    if (CARRIED.has(key)) continue;
    if (count === MAX_ERROR_FIELDS) break;
    let encoded: unknown;
    try {
      encoded = encodeAlone((error as unknown as Record<string, unknown>)[key], state);
    } catch {
      continue;
    }
    (fields ??= {})[key] = encoded;
    count++;
  }
  return fields;
}

/** A cause that cannot be serialized must not lose the error it explains: it travels as its text. */
function textIfUnserializable(value: unknown, state: EncodeState): unknown {
  try {
    return encodeAlone(value, state);
  } catch {
    return String(value);
  }
}

/**
 * `value` encoded so that it serializes on its own, or throws: byte arrays inside an error stay inline
 * (the error must survive without the payload's raw segments).
 */
function encodeAlone(value: unknown, state: EncodeState): unknown {
  const encoded = encodeValue(value, { path: state.path, raw: undefined, rawLength: 0, inline: true });
  serialize(encoded);
  return encoded;
}

/** The error's own `name` when it set one (an error rebuilt from fields), else its class's. */
function errorName(error: Error): string {
  if (Object.hasOwn(error, 'name') && typeof error.name === 'string' && error.name !== '') return error.name;
  const name = error.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : String(error.name);
}

interface ReviveState {
  revive: Reviver;
  contextName: string;
  raw: Buffer | undefined;
  errorText: ErrorText | undefined;
  /** Each object visited, with what it became: shared references are walked once (a value with a
   * million references to one object costs a million lookups, not a million walks). Undefined for a
   * payload without references: a tree meets each object once. */
  seen: Map<object, unknown> | undefined;
}

function reviveValue(value: object, state: ReviveState, depth: number): unknown {
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  const seen = state.seen;
  if (seen?.has(value) === true) return seen.get(value);
  // The check bounded the nesting on the wire; references can still make a walk longer than that.
  if (depth >= MAX_DEPTH) throw new PayloadError('depth', `its references nest values deeper than ${MAX_DEPTH} levels`, state.contextName);
  // A cycle back to this object finds the object itself, as v8 rebuilt it.
  seen?.set(value, value);
  let revived: unknown = value;
  if (Array.isArray(value)) {
    // The check bounded every array's length by the bytes that carry it (plus a small allowance).
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (typeof item === 'object' && item !== null) value[index] = reviveValue(item, state, depth + 1);
    }
  } else if (value instanceof Map) {
    const entries = [...value];
    let changed = false;
    for (const entry of entries) {
      for (const side of [0, 1] as const) {
        const item: unknown = entry[side];
        if (typeof item === 'object' && item !== null) {
          const next = reviveValue(item, state, depth + 1);
          changed ||= next !== item;
          entry[side] = next;
        }
      }
    }
    if (changed) {
      value.clear();
      for (const [key, item] of entries) value.set(key, item);
    }
  } else if (value instanceof Set) {
    const items = [...value];
    let changed = false;
    for (let index = 0; index < items.length; index++) {
      const item: unknown = items[index];
      if (typeof item === 'object' && item !== null) {
        const next = reviveValue(item, state, depth + 1);
        changed ||= next !== item;
        items[index] = next;
      }
    }
    if (changed) {
      value.clear();
      for (const item of items) value.add(item);
    }
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'object' && item !== null) record[key] = reviveValue(item, state, depth + 1);
    }
    const kind = record[TAG];
    if (kind === 'e') revived = reviveError(record as Tagged, state.contextName, state.errorText);
    else if (kind === 'b') revived = reviveBytes(record as Tagged, state.raw, state.contextName);
    else if (typeof kind === 'string') revived = state.revive(record as Tagged);
  }
  seen?.set(value, revived);
  return revived;
}

function reviveBytes(tagged: Tagged, raw: Buffer | undefined, contextName: string): Buffer | Uint8Array {
  const offset = tagged['o'];
  const length = tagged['n'];
  if (raw === undefined || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0 || (offset as number) + (length as number) > raw.length) {
    throw new PayloadError('format', `a raw segment (${String(offset)}, ${String(length)} bytes) lies outside the ${raw?.length ?? 0} raw bytes it came with`, contextName);
  }
  const bytes = raw.subarray(offset as number, (offset as number) + (length as number));
  return tagged['u'] === true ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : bytes;
}

function reviveError(tagged: Tagged, contextName: string, errorText: ErrorText | undefined): Error {
  const name = typeof tagged['name'] === 'string' ? tagged['name'] : 'Error';
  const sent = typeof tagged['message'] === 'string' ? tagged['message'] : '';
  const message = errorText === undefined ? sent : errorText(sent);
  const options = 'cause' in tagged ? { cause: tagged['cause'] } : undefined;
  const Builtin = BUILTIN_ERRORS.get(name);
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
  const fields = tagged['f'];
  if (typeof fields === 'object' && fields !== null && Object.getPrototypeOf(fields) === Object.prototype) {
    let count = 0;
    for (const key of Object.keys(fields)) {
      if (count++ === MAX_ERROR_FIELDS) break;
      // A field is data: it never replaces what the error has (message, stack, context, toString, __proto__...).
      if (key in error || CARRIED.has(key)) continue;
      Object.defineProperty(error, key, { value: (fields as Record<string, unknown>)[key], enumerable: true, configurable: true, writable: true });
    }
  }
  // The remote header line may say 'Error' for a subclass that never set its name: say the class.
  const stack = typeof tagged['stack'] === 'string' ? tagged['stack'] : '';
  const frames = stack.indexOf('\n    at ');
  const header = message === '' ? name : `${name}: ${message}`;
  const rebuilt = header + (frames < 0 ? '' : stack.slice(frames).replace(/^( {4}at )/gm, `$1[${contextName}] `));
  error.stack = errorText === undefined ? rebuilt : errorText(rebuilt);
  return error;
}
