// The trampoline: synchronous resumes, bounded drains, direct wakeups.
import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { Fifo, type Operation, sleepAbsolute, spawn, withTimeout, yieldSlice } from '../src/index.js';
import { run, settle } from './support.js';

describe('the run queue', () => {
  it('resumes without a Promise or a microtask per yield', async () => {
    let microtaskRan = false;
    let slicesBeforeMicrotask = -1;
    await run(function* () {
      queueMicrotask(() => (microtaskRan = true));
      for (let k = 0; k < 500; k++) {
        yield* yieldSlice();
        if (microtaskRan && slicesBeforeMicrotask < 0) slicesBeforeMicrotask = k;
      }
    });
    expect(microtaskRan).toBe(true);
    expect(slicesBeforeMicrotask).toBe(-1); // all 500 slices ran before the microtask
  });

  it('yields to libuv after a bounded number of resumes, so I/O callbacks run while coroutines stay busy', async () => {
    let immediateRanAt = -1;
    let slices = 0;
    await run(function* () {
      setImmediate(() => (immediateRanAt = slices));
      for (; slices < 5_000; slices++) yield* yieldSlice();
    });
    expect(immediateRanAt).toBeGreaterThan(0);
    expect(immediateRanAt).toBeLessThan(5_000);
  });

  it('runs a coroutine woken from a timer callback before that callback returns', async () => {
    const fifo = new Fifo<string>();
    const received: string[] = [];
    spawn(function* () {
      received.push(yield* fifo.pop());
    });
    await settle();
    const seenInCallback = await new Promise<string[]>((resolve) =>
      setTimeout(() => {
        fifo.push('from a timer');
        resolve([...received]);
      }, 1),
    );
    expect(seenInCallback).toEqual(['from a timer']);
  });

  it('keeps round-robin order across many bounded drains (a queue longer than several budgets)', async () => {
    const count = 6_000; // more than 4096 resumed in a row: the queue compacts between drains
    const order: number[] = [];
    const workers = Array.from({ length: count }, (_, k) =>
      spawn(function* () {
        for (let round = 0; round < 2; round++) {
          order.push(round * count + k);
          yield* yieldSlice();
        }
      }),
    );
    await run(function* () {
      for (const worker of workers) yield* worker.join();
    });
    expect(order).toEqual(Array.from({ length: 2 * count }, (_, k) => k));
  });

  it('runs coroutines round-robin in the order they were queued', async () => {
    const order: string[] = [];
    const worker = function* (name: string) {
      for (let k = 0; k < 3; k++) {
        order.push(`${name}${k}`);
        yield* yieldSlice();
      }
    };
    const a = spawn(worker, 'a');
    const b = spawn(worker, 'b');
    await run(function* () {
      yield* a.join();
      yield* b.join();
    });
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('wakes every sleeper whose timer is due in the same batch before running them, in timer order', async () => {
    const at = performance.now() + 20;
    const order: string[] = [];
    const sleeper = function* (name: string): Operation<boolean> {
      yield* sleepAbsolute(at);
      order.push(name);
      // The other sleepers of the batch were all woken before the first one ran (one drain per batch).
      return others.every((co) => co === self() || co.dead || co.suspendedIn?.waiting === false);
    };
    const others = ['a', 'b', 'c'].map((name) => spawn(sleeper, name));
    const self = () => others.find((co) => co.running);
    const sawBatch = await run(function* () {
      const seen: boolean[] = [];
      for (const co of others) seen.push(yield* co.join());
      return seen;
    });
    expect(order).toEqual(['a', 'b', 'c']);
    expect(sawBatch).toEqual([true, true, true]);
  });

  it('lets a wakeup win over a timeout that falls due in the same timer batch', async () => {
    const at = performance.now() + 20;
    // The sleep's deadline is the earlier one, so it fires first; the timeout is then held for one
    // pass, the operation returns, and the timeout is defused (shrapnel's rule).
    const result = await run(() =>
      withTimeout(20, function* () {
        yield* sleepAbsolute(at);
        return 'woken';
      }()),
    );
    expect(result).toBe('woken');
  });
});
