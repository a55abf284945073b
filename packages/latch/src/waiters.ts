// The queue of sleeping getters, as tickets. A getter that must sleep takes the
// ticket ISSUED and sleeps on its own slot word (ticket % SLOTS), so a put wakes
// exactly the waiter it granted a record to, in ticket (arrival) order. Tickets in
// [GRANTED, ISSUED) are waiting or cancelled; granting skips cancelled ones.
// Every function here runs under the latch's lock.

import {
  CANCELLED,
  CLOSED_STATE,
  COUNT,
  FREE,
  GRANTED,
  GRANTED_STATE,
  HEADER_WORDS,
  ISSUED,
  RESERVED,
  SPACE,
  TABLE,
  TABLE_WAITERS,
  WAITING,
  type Memory,
} from './layout.js';

/** The index of the futex word of `ticket`'s slot. */
export function slotIndex(memory: Memory, ticket: number): number {
  return HEADER_WORDS + (ticket & memory.slotMask);
}

/** Whether a getter arriving now may take a record without sleeping: one exists that no waiter was promised. */
export function available(memory: Memory): boolean {
  return memory.words[COUNT]! > memory.words[RESERVED]!;
}

/** Takes the next ticket and marks its slot WAITING; returns undefined when that slot is still in use. */
export function issue(memory: Memory): number | undefined {
  const { words } = memory;
  const ticket = words[ISSUED]!;
  const index = slotIndex(memory, ticket);
  if (words[index] !== FREE) return undefined;
  Atomics.store(words, index, WAITING);
  words[ISSUED] = (ticket + 1) | 0;
  return ticket;
}

/**
 * Promises the unpromised records to the oldest waiting tickets, skipping cancelled ones. Adds the
 * words to notify once the lock is released to `wake`.
 */
export function grant(memory: Memory, wake: number[]): void {
  const { words } = memory;
  while (words[COUNT]! > words[RESERVED]! && words[GRANTED] !== words[ISSUED]) {
    const ticket = words[GRANTED]!;
    words[GRANTED] = (ticket + 1) | 0;
    const index = slotIndex(memory, ticket);
    if (words[index] === CANCELLED) {
      release(memory, index, wake);
      continue;
    }
    Atomics.store(words, index, GRANTED_STATE);
    words[RESERVED]!++;
    wake.push(index);
  }
}

/** Frees a slot word, noting that getters waiting for a free slot must be woken. */
export function release(memory: Memory, index: number, wake: number[]): void {
  const { words } = memory;
  Atomics.store(words, index, FREE);
  if (words[TABLE_WAITERS]! > 0) {
    Atomics.add(words, TABLE, 1);
    wake.push(TABLE);
  }
}

/**
 * Gives up `ticket`, which has not been granted: the newest ticket is taken back (with any cancelled ones
 * before it), an older one is marked CANCELLED for grant() to skip.
 */
export function cancel(memory: Memory, ticket: number, wake: number[]): void {
  const { words } = memory;
  if (((words[ISSUED]! - 1) | 0) !== ticket) {
    Atomics.store(words, slotIndex(memory, ticket), CANCELLED);
    return;
  }
  release(memory, slotIndex(memory, ticket), wake);
  words[ISSUED] = ticket;
  while (words[ISSUED] !== words[GRANTED]) {
    const last: number = (words[ISSUED]! - 1) | 0;
    const index = slotIndex(memory, last);
    if (words[index] !== CANCELLED) break;
    release(memory, index, wake);
    words[ISSUED] = last;
  }
}

/**
 * Hands a granted record on: its waiter gives up (interrupted or aborted) without taking it, so the
 * next waiter gets it instead and nothing is lost.
 */
export function decline(memory: Memory, index: number, wake: number[]): void {
  memory.words[RESERVED]!--;
  release(memory, index, wake);
  grant(memory, wake);
}

/** Marks every waiting or granted slot CLOSED_STATE and frees cancelled ones; returns the words to notify. */
export function closeAll(memory: Memory, wake: number[]): void {
  const { words } = memory;
  for (let index = HEADER_WORDS; index <= HEADER_WORDS + memory.slotMask; index++) {
    const state = words[index];
    if (state === WAITING || state === GRANTED_STATE) Atomics.store(words, index, CLOSED_STATE);
    else if (state === CANCELLED) Atomics.store(words, index, FREE);
    if (state !== FREE) wake.push(index);
  }
  words[GRANTED] = words[ISSUED]!;
  words[RESERVED] = 0;
  Atomics.add(words, SPACE, 1);
  Atomics.add(words, TABLE, 1);
  wake.push(SPACE, TABLE);
}
