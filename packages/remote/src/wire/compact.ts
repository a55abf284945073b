import { PayloadError } from './payload-error.js';

/**
 * The compact payload: the call messages and answers that hold only strings, finite numbers, booleans
 * and null (directly, or in one nested array such as a call's arguments) travel as JSON text instead of
 * v8 serializer output. JSON.stringify and JSON.parse cost about a third of v8's serializer for such
 * small messages, which is much of a warm call's CPU, and they are exact for these values. A payload is
 * compact when its first byte is '[' (v8 output always starts with 0xff), so frames keep their encoding.
 *
 * Decoding trusts nothing: JSON.parse runs no code and builds nothing but arrays and primitives here
 * (a JSON object is refused after parsing, as is nesting past one inner array), in time and memory
 * proportional to the payload.
 */
const OPEN_BRACKET = 0x5b;

/** Past this many characters of strings, the v8 serializer is as fast and never grows escapes. */
const COMPACT_MAX_CHARS = 8 * 1024;

/** Whether `payload` is compact (see above) rather than v8 serializer output. */
export function isCompact(payload: Buffer): boolean {
  return payload.length > 0 && payload[0] === OPEN_BRACKET;
}

/**
 * `message` as a compact payload, or undefined when it holds anything else (objects, undefined,
 * NaN, -0, long strings). The caller vouches that its arrays are plain (no holes or extra properties):
 * a message it built, or a rest parameter.
 */
export function encodeCompact(message: readonly unknown[]): Buffer | undefined {
  const chars = exactIn(message, 0, 0);
  return chars < 0 ? undefined : Buffer.from(JSON.stringify(message));
}

/** The characters of strings in `items`, or -1 when JSON would not carry them exactly. */
function exactIn(items: readonly unknown[], depth: number, chars: number): number {
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    switch (typeof item) {
      case 'string':
        chars += item.length;
        if (chars > COMPACT_MAX_CHARS) return -1;
        break;
      case 'boolean':
        break;
      case 'number':
        if (!Number.isFinite(item) || Object.is(item, -0)) return -1;
        break;
      case 'object':
        if (item === null) break;
        if (depth > 0 || !Array.isArray(item)) return -1;
        chars = exactIn(item, 1, chars);
        if (chars < 0) return -1;
        break;
      default:
        return -1;
    }
  }
  return chars;
}

/**
 * Decodes a compact payload. @throws PayloadError (`ERR_X_REMOTE_BAD_PAYLOAD`) for text that is not
 * JSON, or JSON that is not an array of primitives and arrays of primitives.
 */
export function decodeCompact(payload: Buffer, contextName: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new PayloadError('format', `its compact form is not JSON (${(error as Error).message})`, contextName);
  }
  if (!Array.isArray(value) || !primitivesIn(value, 0)) throw new PayloadError('format', 'its compact form holds more than arrays of strings, numbers, booleans and null', contextName);
  return value;
}

function primitivesIn(items: unknown[], depth: number): boolean {
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    if (depth > 0 || !Array.isArray(item) || !primitivesIn(item as unknown[], 1)) return false;
  }
  return true;
}
