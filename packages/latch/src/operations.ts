// One get or put in progress, as steps that never wait: attempt() runs under the
// lock and either finishes or names the word to sleep on; giveUp() cleans up after
// a timeout, an interrupt or an abort. The sync and async drivers in latch.ts do
// the sleeping, so both paths share every rule below.

import { InvalidArgumentError, Interrupted, LatchClosedError, LatchValueTooLargeError, TimeoutError } from './errors.js';
import {
  CLOSED,
  CLOSED_STATE,
  GRANTED_STATE,
  LOCK,
  PUT_WAITERS,
  RESERVED,
  SPACE,
  TABLE,
  TABLE_WAITERS,
  WAITING,
  type Memory,
} from './layout.js';
import { lock, unlock } from './mutex.js';
import { decode, encode as encodeValue } from './codec.js';
import { append, fits, recordSize, shift } from './ring.js';
import type { WaitEnd } from './wait.js';
import { available, cancel, decline, issue, release, slotIndex, grant } from './waiters.js';

/** What attempt() found: the operation's result, or the futex word to sleep on while it holds `expected`. */
export type Step<R> = { done: true; value: R } | { done: false; index: number; expected: number };

/** A get or a put: the drivers call attempt() until it is done, and giveUp() when a wait ends otherwise. */
export interface Operation<R> {
  attempt(): Step<R>;
  giveUp(end: Exclude<WaitEnd, 'woken'>, reason?: unknown): R;
}

/** Runs `body` under the latch's lock, then wakes the words it asked for. */
function locked<R>(memory: Memory, body: (wake: number[]) => R): R {
  const wake: number[] = [];
  lock(memory.words, LOCK);
  try {
    return body(wake);
  } finally {
    unlock(memory.words, LOCK);
    for (const index of wake) Atomics.notify(memory.words, index);
  }
}

function failure(operation: 'get' | 'put', end: Exclude<WaitEnd, 'woken'>, timeout: number, reason: unknown): unknown {
  if (end === 'timed-out') return new TimeoutError(operation, timeout);
  if (end === 'aborted') return reason;
  return new Interrupted(operation, end);
}

/** Takes the oldest record out of the ring, waking putters that wait for room. */
function take(memory: Memory, wake: number[]): Buffer {
  const bytes = shift(memory);
  Atomics.add(memory.words, SPACE, 1);
  if (memory.words[PUT_WAITERS]! > 0) wake.push(SPACE);
  return bytes;
}

/**
 * Takes a record if one is unpromised, without waiting: the common case of `get`, with no allocation.
 * @throws {LatchClosedError} when the latch is closed.
 */
export function tryTake(memory: Memory): Buffer | undefined {
  const { words } = memory;
  lock(words, LOCK);
  const closed = words[CLOSED] === 1;
  const ready = !closed && available(memory);
  const bytes = ready ? shift(memory) : undefined;
  const wakePutters = ready && words[PUT_WAITERS]! > 0;
  if (ready) Atomics.add(words, SPACE, 1);
  unlock(words, LOCK);
  if (closed) throw new LatchClosedError('get');
  if (wakePutters) Atomics.notify(words, SPACE);
  return bytes;
}

/**
 * Appends a record if it fits now, without waiting: the common case of `put`. Returns false when the
 * ring is full. `wake` is a scratch array for the slots to notify.
 * @throws {LatchClosedError} when the latch is closed.
 */
export function tryAppend(memory: Memory, bytes: Uint8Array, wake: number[]): boolean {
  const { words } = memory;
  lock(words, LOCK);
  const closed = words[CLOSED] === 1;
  const room = !closed && fits(memory, bytes.length);
  if (room) {
    append(memory, bytes);
    grant(memory, wake);
  }
  unlock(words, LOCK);
  if (closed) throw new LatchClosedError('put');
  while (wake.length > 0) Atomics.notify(words, wake.pop()!);
  return room;
}

/** A get: takes a record if one is unpromised, else sleeps on its own ticket until a put grants it one. */
export class GetOperation<T> implements Operation<T> {
  #ticket: number | undefined;
  #waitingForSlot = false;

  constructor(
    private readonly memory: Memory,
    private readonly timeout: number,
  ) {}

  attempt(): Step<T> {
    const bytes = locked(this.memory, (wake): Step<Buffer> => {
      const { words } = this.memory;
      if (this.#ticket !== undefined) return this.#collect(wake);
      if (this.#waitingForSlot) {
        words[TABLE_WAITERS]!--;
        this.#waitingForSlot = false;
      }
      if (words[CLOSED]) throw new LatchClosedError('get');
      if (available(this.memory)) return { done: true, value: take(this.memory, wake) };
      if (this.timeout === 0) throw new TimeoutError('get', 0);
      this.#ticket = issue(this.memory);
      if (this.#ticket === undefined) {
        // Every slot is taken (more sleepers than slots): wait for one to be freed.
        words[TABLE_WAITERS]!++;
        this.#waitingForSlot = true;
        return { done: false, index: TABLE, expected: words[TABLE]! };
      }
      return { done: false, index: slotIndex(this.memory, this.#ticket), expected: WAITING };
    });
    return bytes.done ? { done: true, value: decode(bytes.value) as T } : bytes;
  }

  /** Looks at this getter's slot: still waiting, granted a record (take it) or closed. */
  #collect(wake: number[]): Step<Buffer> {
    const index = slotIndex(this.memory, this.#ticket!);
    const state = this.memory.words[index];
    if (state === WAITING) return { done: false, index, expected: WAITING };
    this.#ticket = undefined;
    release(this.memory, index, wake);
    if (state === CLOSED_STATE) throw new LatchClosedError('get');
    if (state !== GRANTED_STATE) throw new Error(`@x/latch: waiter slot in state ${state}. This is a bug in x.`);
    this.memory.words[RESERVED]!--;
    return { done: true, value: take(this.memory, wake) };
  }

  giveUp(end: Exclude<WaitEnd, 'woken'>, reason?: unknown): T {
    const bytes = locked(this.memory, (wake) => {
      const { words } = this.memory;
      if (this.#waitingForSlot) {
        words[TABLE_WAITERS]!--;
        this.#waitingForSlot = false;
      }
      const ticket = this.#ticket;
      if (ticket !== undefined) {
        const index = slotIndex(this.memory, ticket);
        const state = words[index];
        if (state === WAITING) {
          this.#ticket = undefined;
          cancel(this.memory, ticket, wake);
        } else if (state === GRANTED_STATE && end !== 'timed-out') {
          // Interrupted or aborted after a record was promised: hand it to the next waiter.
          this.#ticket = undefined;
          decline(this.memory, index, wake);
        } else {
          // A record arrived as time ran out (take it: it came in time), or the latch closed.
          const step = this.#collect(wake);
          if (step.done) return step.value;
        }
      }
      throw failure('get', end, this.timeout, reason);
    });
    return decode(bytes) as T;
  }
}

/**
 * Serializes a value for the ring, refusing what cannot be cloned or can never fit. The bytes are valid
 * until the next call in this thread unless `keep` asks for a copy.
 */
export function encode(memory: Memory, value: unknown, keep = false): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = encodeValue(value);
  } catch (error) {
    throw new InvalidArgumentError('value', 'a value the structured clone algorithm accepts', value, { cause: error });
  }
  if (recordSize(bytes.length) > memory.capacity) {
    throw new LatchValueTooLargeError(recordSize(bytes.length), memory.capacity);
  }
  return keep ? Uint8Array.prototype.slice.call(bytes) : bytes;
}

/** A put: appends the record if it fits, else sleeps until records leave the ring. */
export class PutOperation implements Operation<void> {
  #waitingForSpace = false;

  constructor(
    private readonly memory: Memory,
    private readonly bytes: Uint8Array,
    private readonly timeout: number,
  ) {}

  attempt(): Step<void> {
    return locked(this.memory, (wake): Step<void> => {
      const { words } = this.memory;
      this.#stopWaiting();
      if (words[CLOSED]) throw new LatchClosedError('put');
      if (fits(this.memory, this.bytes.length)) {
        append(this.memory, this.bytes);
        grant(this.memory, wake);
        return { done: true, value: undefined };
      }
      if (this.timeout === 0) throw new TimeoutError('put', 0);
      words[PUT_WAITERS]!++;
      this.#waitingForSpace = true;
      return { done: false, index: SPACE, expected: words[SPACE]! };
    });
  }

  giveUp(end: Exclude<WaitEnd, 'woken'>, reason?: unknown): void {
    locked(this.memory, () => this.#stopWaiting());
    throw failure('put', end, this.timeout, reason);
  }

  #stopWaiting(): void {
    if (!this.#waitingForSpace) return;
    this.memory.words[PUT_WAITERS]!--;
    this.#waitingForSpace = false;
  }
}
