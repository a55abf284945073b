// Sleeping on one futex word until it changes, a deadline passes, the process is
// interrupted (blocking waits on the main thread) or a signal aborts (async
// waits). Every wait may also end early and spuriously: callers re-check their
// state under the lock and wait again.

import { availableParallelism } from 'node:os';
import { interruptedBy, INTERRUPT_SLICE_MS, type InterruptWatch } from './interrupt.js';

// Atomics.waitAsync is in Node 20 but in TypeScript's lib only from ES2024.
const atomicsWaitAsync = (
  Atomics as unknown as {
    waitAsync(
      words: Int32Array,
      index: number,
      expected: number,
      timeout: number,
    ): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
  }
).waitAsync;

// A waiter first watches its word for a while before it sleeps: with the other
// thread running on another core the value often comes within microseconds,
// while a futex sleep and wake-up cost tens. The spin adapts per thread: a spin
// that saw the change keeps a budget of at least twice what it needed, one that
// had to sleep anyway halves it, and one wait in PROBE_EVERY spins the maximum to
// find out whether spinning pays again. On a busy or single-core machine the
// budget so stays small and the thread sleeps at once, instead of taking the CPU
// from the thread it waits for.
const MIN_SPINS = 16;
const MAX_SPINS = availableParallelism() > 1 ? 8192 : MIN_SPINS;
const PROBE_EVERY = 64;
let spins = MIN_SPINS;
let untilProbe = PROBE_EVERY;

/** Watches the word for up to the current spin budget; true when it changed. */
function spin(words: Int32Array, index: number, expected: number): boolean {
  const budget = --untilProbe === 0 ? MAX_SPINS : spins;
  if (untilProbe === 0) untilProbe = PROBE_EVERY;
  for (let round = 0; round < budget; round++) {
    if (Atomics.load(words, index) !== expected) {
      spins = Math.min(MAX_SPINS, Math.max(spins, round * 2));
      return true;
    }
  }
  spins = Math.max(MIN_SPINS, spins >> 1);
  return false;
}

/** How a wait ended. A number is the signal that interrupted it. */
export type WaitEnd = 'woken' | 'timed-out' | 'aborted' | number;

/** Milliseconds from now to `deadline` (a `performance.now()` time). */
function remaining(deadline: number): number {
  return deadline === Infinity ? Infinity : deadline - performance.now();
}

/**
 * Blocks the calling thread while `words[index] === expected`, at most until `deadline`. With an
 * interrupt watch it sleeps in slices of at most INTERRUPT_SLICE_MS and returns the signal's number when
 * the interrupt word moved.
 */
export function waitSync(
  words: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  watch: InterruptWatch | undefined,
): WaitEnd {
  if (spin(words, index, expected)) return 'woken';
  for (;;) {
    const left = remaining(deadline);
    if (left <= 0) return 'timed-out';
    const slice = watch ? Math.min(left, INTERRUPT_SLICE_MS) : left;
    const result = Atomics.wait(words, index, expected, slice);
    if (watch) {
      const signal = interruptedBy(watch);
      if (signal !== undefined) return signal;
    }
    if (result !== 'timed-out') return 'woken';
  }
}

/**
 * Waits without blocking while `words[index] === expected`, at most until `deadline`. A timer keeps the
 * event loop alive meanwhile (a pending Atomics.waitAsync alone does not), and also ends the wait on
 * time; `signal` ends it early.
 */
export async function waitAsync(
  words: Int32Array,
  index: number,
  expected: number,
  deadline: number,
  signal: AbortSignal | undefined,
): Promise<WaitEnd> {
  const left = remaining(deadline);
  if (left <= 0) return 'timed-out';
  if (signal?.aborted) return 'aborted';
  const wait = atomicsWaitAsync(words, index, expected, left);
  if (!wait.async) return 'woken';
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      wait.value.then((): WaitEnd => 'woken'),
      new Promise<WaitEnd>((resolve) => {
        // On time the timer only ends this wait: the next call sees the deadline passed and says so,
        // so a timer that fires a little early never ends a wait before its deadline.
        timer = left === Infinity
          ? setInterval(() => {}, 2 ** 30)
          : setTimeout(() => resolve('woken'), Math.min(Math.ceil(left), 2 ** 31 - 1));
        if (signal) {
          onAbort = () => resolve('aborted');
          signal.addEventListener('abort', onAbort, { once: true });
        }
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
