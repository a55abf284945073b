// The time of each slice, for the latency warning and where(): @x/native's coarse clock word when the
// addon is there, performance.now() otherwise. Reading the word is one memory load; performance.now()
// costs 70-150 ns on a VM, which was a third of a Fifo round trip between two coroutines.
import { performance } from 'node:perf_hooks';
import { loadNative } from './native.js';

const BUSY = 0;
const TICKING = 1;

/** The shared-memory clock (internal): the word, its flags, and the offset to performance.now()'s scale. */
export interface CoarseClock {
  readonly time: Float64Array;
  readonly flags: Int32Array;
  readonly offset: number;
  readonly wake: () => number;
}

/** The clock word of this thread, or undefined without the addon (one per thread: a second copy of @x/coro shares it through the runtime). */
export function startCoarseClock(): CoarseClock | undefined {
  const native = loadNative();
  if (typeof native?.coarseClock !== 'function') return undefined;
  const buffer = new SharedArrayBuffer(16);
  const offset = performance.now() - native.coarseClock(buffer);
  return { time: new Float64Array(buffer, 0, 1), flags: new Int32Array(buffer, 8, 2), offset, wake: native.wakeCoarseClock };
}

/** Keeps the clock ticking until clockIdle(): a drain starts. Busy is stored before ticking is read (see @x/native's coarseClock). */
export function clockBusy(clock: CoarseClock): void {
  Atomics.store(clock.flags, BUSY, 1);
  if (Atomics.load(clock.flags, TICKING) === 0) clock.wake();
}

/** A drain has ended: the clock's thread may end once no reader has been busy for 50 ms. */
export function clockIdle(clock: CoarseClock): void {
  Atomics.store(clock.flags, BUSY, 0);
}

/** The time now on performance.now()'s scale: the word while it is kept current, else the precise clock. */
export function now(clock: CoarseClock | undefined): number {
  return clock !== undefined && Atomics.load(clock.flags, TICKING) === 1 ? clock.time[0]! + clock.offset : performance.now();
}
