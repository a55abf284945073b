// The shared memory of one latch: a header of 32-bit words, one word per waiter
// slot, then the ring of records. Every thread that holds the handle maps the
// same SharedArrayBuffer; all fields below are changed only under LOCK, except
// the futex words, which waiters read with Atomics.load / Atomics.wait.

import { InvalidArgumentError } from './errors.js';

/** Int32 indices of the header words. */
export const LOCK = 0; // the mutex (see mutex.ts): 0 free, 1 held, 2 held with sleepers
export const CLOSED = 1; // 1 once close() ran; never goes back to 0
export const MAGIC = 2; // MAGIC_VALUE: identifies the buffer in Latch.from()
export const CAPACITY = 3; // bytes in the ring, a multiple of 4
export const SLOTS = 4; // waiter slots, a power of two
export const HEAD = 5; // byte offset in the ring of the oldest record
export const USED = 6; // bytes of the ring in use (headers and padding included)
export const COUNT = 7; // records in the ring
export const RESERVED = 8; // records promised to woken waiters that have not taken them yet
export const ISSUED = 9; // the next waiter ticket (wraps at 2^32)
export const GRANTED = 10; // tickets before this one have been granted a record or skipped
export const SPACE = 11; // futex word: bumped whenever records leave the ring or the latch closes
export const PUT_WAITERS = 12; // putters waiting for SPACE
export const TABLE = 13; // futex word: bumped whenever a waiter slot is freed or the latch closes
export const TABLE_WAITERS = 14; // getters waiting for a free slot on TABLE
export const HEADER_WORDS = 16;

export const MAGIC_VALUE = 0x4c54_4348; // 'LTCH', as mitogen's cookie

/** States of a waiter slot word (index HEADER_WORDS + ticket % SLOTS). */
export const FREE = 0;
export const WAITING = 1;
export const GRANTED_STATE = 2;
export const CANCELLED = 3;
export const CLOSED_STATE = 4;

/** The views of one latch's SharedArrayBuffer. */
export interface Memory {
  buffer: SharedArrayBuffer;
  words: Int32Array;
  /** The ring's bytes. */
  ring: Uint8Array;
  /** A DataView over the ring, for record headers. */
  view: DataView;
  capacity: number;
  slotMask: number;
}

/**
 * A latch's handle: a plain, structured-cloneable object to send to another thread (`postMessage`,
 * `workerData`) and open there with `Latch.from(handle)`. The type parameter only carries the value type.
 */
export interface LatchHandle<T = unknown> {
  readonly kind: '@x/latch';
  readonly version: 1;
  readonly buffer: SharedArrayBuffer;
  /** Never set: carries `T` through the type system. */
  readonly __type?: (value: T) => T;
}

function views(buffer: SharedArrayBuffer, capacity: number, slots: number): Memory {
  const offset = (HEADER_WORDS + slots) * 4;
  return {
    buffer,
    words: new Int32Array(buffer, 0, HEADER_WORDS + slots),
    ring: new Uint8Array(buffer, offset, capacity),
    view: new DataView(buffer, offset, capacity),
    capacity,
    slotMask: slots - 1,
  };
}

/** Allocates the shared memory of a new latch. `capacity` is rounded up to a multiple of 4, `slots` to a power of two. */
export function allocate(capacity: number, slots: number): Memory {
  const ringBytes = Math.ceil(capacity / 4) * 4;
  const slotCount = 2 ** Math.ceil(Math.log2(slots));
  const memory = views(new SharedArrayBuffer((HEADER_WORDS + slotCount) * 4 + ringBytes), ringBytes, slotCount);
  memory.words[MAGIC] = MAGIC_VALUE;
  memory.words[CAPACITY] = ringBytes;
  memory.words[SLOTS] = slotCount;
  return memory;
}

/** Opens the shared memory named by a handle, checking that it is one. */
export function open(handle: unknown): Memory {
  const { buffer } = (handle ?? {}) as Partial<LatchHandle>;
  const valid =
    typeof handle === 'object' &&
    handle !== null &&
    (handle as LatchHandle).kind === '@x/latch' &&
    buffer instanceof SharedArrayBuffer &&
    buffer.byteLength >= HEADER_WORDS * 4 &&
    new Int32Array(buffer, 0, HEADER_WORDS)[MAGIC] === MAGIC_VALUE;
  if (!valid) throw new InvalidArgumentError('handle', 'the `handle` of a Latch (from latch.handle)', handle);
  const header = new Int32Array(buffer, 0, HEADER_WORDS);
  return views(buffer, header[CAPACITY]!, header[SLOTS]!);
}

/** The handle that names a latch's shared memory. */
export function handleOf<T>(memory: Memory): LatchHandle<T> {
  return Object.freeze({ kind: '@x/latch', version: 1, buffer: memory.buffer });
}
