// The ring of variable-size records. A record is a 4-byte little-endian length
// followed by that many bytes, padded to a multiple of 4, so a header never
// straddles the end of the ring while a body may (it is copied in two parts).
// Callers hold the latch's lock.

import { COUNT, HEAD, USED, type Memory } from './layout.js';

/** Records up to this many bytes are copied by a loop rather than through typed-array views. */
const SMALL = 64;

/** The bytes a record of `length` bytes takes in the ring. */
export function recordSize(length: number): number {
  return 4 + ((length + 3) & ~3);
}

/** Whether a record of `length` bytes fits in the free part of the ring now. */
export function fits(memory: Memory, length: number): boolean {
  return memory.capacity - memory.words[USED]! >= recordSize(length);
}

/** Appends one record holding `bytes`; the caller checked that it fits. */
export function append(memory: Memory, bytes: Uint8Array): void {
  const { words, ring, view, capacity } = memory;
  const used = words[USED]!;
  let at = words[HEAD]! + used;
  if (at >= capacity) at -= capacity;
  view.setUint32(at, bytes.length, true);
  at += 4;
  if (at === capacity) at = 0;
  if (bytes.length <= SMALL) {
    // A loop beats making views for a small record.
    for (let index = 0; index < bytes.length; index++) {
      ring[at++] = bytes[index]!;
      if (at === capacity) at = 0;
    }
  } else {
    const first = Math.min(bytes.length, capacity - at);
    ring.set(first === bytes.length ? bytes : bytes.subarray(0, first), at);
    if (first < bytes.length) ring.set(bytes.subarray(first), 0);
  }
  words[USED] = used + recordSize(bytes.length);
  words[COUNT]!++;
}

// Records are copied out of the ring into this thread's scratch buffer, which grows as needed.
let scratch = Buffer.allocUnsafeSlow(4096);

/**
 * Removes the oldest record and returns a copy of its bytes, valid until the next call in this thread;
 * the caller checked that there is one.
 */
export function shift(memory: Memory): Buffer {
  const { words, ring, view, capacity } = memory;
  const head = words[HEAD]!;
  const length = view.getUint32(head, true);
  let at = head + 4;
  if (at === capacity) at = 0;
  if (scratch.length < length) scratch = Buffer.allocUnsafeSlow(Math.max(length, scratch.length * 2));
  const bytes = scratch.subarray(0, length);
  if (length <= SMALL) {
    for (let index = 0; index < length; index++) {
      bytes[index] = ring[at++]!;
      if (at === capacity) at = 0;
    }
  } else {
    const first = Math.min(length, capacity - at);
    bytes.set(ring.subarray(at, at + first));
    if (first < length) bytes.set(ring.subarray(0, length - first), first);
  }
  const size = recordSize(length);
  const next = head + size;
  words[USED]! -= size;
  // An empty ring starts again at 0, so small records rarely straddle the end.
  words[HEAD] = words[USED] === 0 ? 0 : next >= capacity ? next - capacity : next;
  words[COUNT]!--;
  return bytes;
}
