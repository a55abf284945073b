import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { useLeakCheck } from '@x/test-env';
import { afterEach, describe, expect, it } from 'vitest';
import { native } from './native.js';

useLeakCheck();

const BUSY = 0;
const TICKING = 1;

function word() {
  const buffer = new SharedArrayBuffer(16);
  return { buffer, time: new Float64Array(buffer, 0, 1), flags: new Int32Array(buffer, 8, 2) };
}

/** Polls `condition` every millisecond until it holds (or fails the test after 5 s). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still false after 5 s: ${condition.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function threadName(task: string): string | undefined {
  try {
    return readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim();
  } catch {
    return undefined; // the thread ended between the listing and the read
  }
}

function clockThreads(): number {
  return readdirSync('/proc/self/task').filter((task) => threadName(task) === 'x-coarse-clock').length;
}

afterEach(() => native.stopCoarseClock());

describe('coarseClock()', () => {
  it('writes the monotonic time at once and keeps it current while a reader is busy', async () => {
    const { buffer, time, flags } = word();
    const offset = performance.now() - native.coarseClock(buffer);
    const first = time[0]!;
    expect(Atomics.load(flags, TICKING)).toBe(1);
    expect(Math.abs(first + offset - performance.now())).toBeLessThan(1_000); // the same clock as performance.now()
    Atomics.store(flags, BUSY, 1);
    let previous = first;
    let wentBack = false;
    await until(() => {
      const now = time[0]!;
      if (now < previous) wentBack = true;
      previous = now;
      return now >= first + 5;
    });
    expect(wentBack).toBe(false);
    expect(time[0]! + offset).toBeLessThanOrEqual(performance.now() + 0.001); // never ahead of the precise clock
    Atomics.store(flags, BUSY, 0);
  });

  it('ends its thread once no reader is busy, and wakeCoarseClock() starts it again with a fresh time', async () => {
    const { buffer, time, flags } = word();
    const offset = performance.now() - native.coarseClock(buffer);
    expect(clockThreads()).toBe(1);
    await until(() => Atomics.load(flags, TICKING) === 0 && clockThreads() === 0);
    const stale = time[0]!;
    // Polled rather than a 5 ms setTimeout, which counts from the loop's cached time and may fire early.
    await until(() => performance.now() - offset >= stale + 5);
    expect(time[0]).toBe(stale); // nothing writes while it is not ticking
    Atomics.store(flags, BUSY, 1);
    const woken = native.wakeCoarseClock();
    expect(woken).toBeGreaterThanOrEqual(stale + 5);
    expect(time[0]).toBeGreaterThanOrEqual(woken); // the word is fresh; the restarted thread may already have ticked past it
    expect(Atomics.load(flags, TICKING)).toBe(1);
    expect(clockThreads()).toBe(1);
    Atomics.store(flags, BUSY, 0);
    await until(() => clockThreads() === 0);
  });

  it('stops writing to a word once stopCoarseClock() returns, and a new buffer replaces the old one', async () => {
    const old = word();
    native.coarseClock(old.buffer);
    const next = word();
    native.coarseClock(next.buffer);
    expect(Atomics.load(old.flags, TICKING)).toBe(0);
    Atomics.store(next.flags, BUSY, 1);
    const replaced = old.time[0];
    await until(() => next.time[0]! >= replaced! + 3);
    expect(old.time[0]).toBe(replaced);
    native.stopCoarseClock();
    expect(Atomics.load(next.flags, TICKING)).toBe(0);
    const stopped = next.time[0];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(next.time[0]).toBe(stopped);
    await until(() => clockThreads() === 0);
  });

  it('keeps one word per worker thread and unregisters it when the worker ends', async () => {
    const { buffer, time, flags } = word();
    native.coarseClock(buffer);
    Atomics.store(flags, BUSY, 1);
    const source = `
      const { parentPort } = require('node:worker_threads');
      const native = require(${JSON.stringify(createRequire(import.meta.url).resolve('@x/native'))});
      const buffer = new SharedArrayBuffer(16);
      const time = new Float64Array(buffer, 0, 1);
      const start = native.coarseClock(buffer);
      Atomics.store(new Int32Array(buffer, 8, 2), 0, 1);
      const spin = Date.now();
      while (time[0] < start + 3 && Date.now() - spin < 5000) {}
      parentPort.postMessage(time[0] - start);
    `;
    const worker = new Worker(source, { eval: true });
    const advanced = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    expect(advanced).toBeGreaterThanOrEqual(3);
    await worker.terminate();
    const before = time[0]!;
    await until(() => time[0]! >= before + 3); // the main thread's word is still kept
    Atomics.store(flags, BUSY, 0);
    await until(() => clockThreads() === 0);
  });

  it('rejects anything but a SharedArrayBuffer of at least 16 bytes', () => {
    for (const bad of [undefined, new ArrayBuffer(16), new SharedArrayBuffer(8), new Float64Array(2)]) {
      expect(() => native.coarseClock(bad as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', name: 'TypeError' }));
    }
  });
});
