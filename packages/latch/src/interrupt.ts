// The process-wide interrupt word. When the application handles SIGINT/SIGTERM
// through @x/signals, a native signal handler increments word[0] on each delivery
// and stores the signal's number in word[1]; @x/signals publishes the word under
// this registered symbol. The latch only reads it, so it imports nothing.

import { isMainThread } from 'node:worker_threads';

const KEY = Symbol.for('@x/interrupt-word');

/** The longest a blocking wait on the main thread sleeps before it looks at the interrupt word, in milliseconds. */
export const INTERRUPT_SLICE_MS = 50;

/** A blocking wait's view of the interrupt word: the counter as it was when the wait began. */
export interface InterruptWatch {
  word: Int32Array;
  start: number;
}

function publishedWord(): Int32Array | undefined {
  const word: unknown = (globalThis as Record<symbol, unknown>)[KEY];
  return word instanceof Int32Array && word.buffer instanceof SharedArrayBuffer && word.length >= 2
    ? word
    : undefined;
}

/** Starts watching for interrupts, on the main thread only and only when a word is published. */
export function watchInterrupts(): InterruptWatch | undefined {
  if (!isMainThread) return undefined;
  const word = publishedWord();
  return word && { word, start: Atomics.load(word, 0) };
}

/** The number of the signal that arrived since the watch began, or undefined if none did. */
export function interruptedBy(watch: InterruptWatch): number | undefined {
  return Atomics.load(watch.word, 0) === watch.start ? undefined : Atomics.load(watch.word, 1);
}
