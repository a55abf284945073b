import { describe, expect, it } from 'vitest';
import {
  Fifo,
  InvalidArgumentError,
  newCoro,
  setDebugStacks,
  setLatencyNotifier,
  setLatencyWarning,
  setMaxSelfishActs,
  setSelfishness,
  sleep,
  spawn,
  where,
  whereAll,
  yieldSlice,
} from '../src/index.js';
import { pause, run, settle } from './support.js';

describe('where() and whereAll()', () => {
  it('name the operation each coroutine is suspended in and for how long', async () => {
    const fifo = new Fifo<number>();
    const popper = spawn(function* popper() {
      yield* fifo.pop();
    });
    const sleeper = spawn(() => sleep(10_000));
    await pause(5);
    expect(where(popper)).toMatch(/^Fifo\.pop\(\) for \d+\.\d ms$/);
    const all = whereAll();
    expect(all.get(popper.id)).toMatchObject({ name: 'popper', coro: popper });
    expect(all.get(sleeper.id)!.where).toMatch(/^sleep\(10000\) for \d+\.\d ms$/);
    // The time comes from the coarse clock word, which may not have ticked since the sleeper parked (a
    // busy machine can hold its thread off for milliseconds): wait for it to move, however long that takes.
    // If where() never counted the time, this loop would spin until the test times out.
    const waitedMs = () => Number(/for (\S+) ms/.exec(where(sleeper))![1]);
    let waited = waitedMs();
    while (waited === 0) {
      await pause(1);
      waited = waitedMs();
    }
    expect(waited).toBeGreaterThan(0);
    popper.shutdown();
    sleeper.shutdown();
  });

  it('say running, scheduled, not started and dead', async () => {
    const fresh = newCoro(() => sleep(1));
    expect(where(fresh)).toBe('not started');
    fresh.start();
    expect(where(fresh)).toBe('scheduled');
    const self = await run(function* () {
      return whereAll().get([...whereAll().keys()].at(-1)!)!.where;
    });
    expect(self).toBe('running');
    await run(() => fresh.join());
    expect(where(fresh)).toBe('dead');
    expect(() => where({} as never)).toThrow(InvalidArgumentError);
  });

  it('with debug stacks, name the source line that started the operation', async () => {
    const previous = setDebugStacks(true);
    try {
      const co = spawn(function* () {
        yield* sleep(10_000);
      });
      await settle();
      expect(where(co)).toMatch(/for \d+\.\d ms at .*where\.test\.ts:\d+:\d+/);
      co.shutdown();
    } finally {
      setDebugStacks(previous);
    }
  });
});

describe('setLatencyWarning()', () => {
  it('reports the coroutine that kept the loop busy, through the notifier', async () => {
    const reports: { name: string; where: string; durationMs: number }[] = [];
    const previousNotifier = setLatencyNotifier(({ coro, where: at, durationMs }) => reports.push({ name: coro.name, where: at, durationMs }));
    const previousFactor = setLatencyWarning(0.025); // 5 ms
    try {
      const hog = spawn(function* hog() {
        const until = performance.now() + 50;
        while (performance.now() < until); // blocks the loop: 50 ms, well past 5 ms on the coarse clock too
        yield* sleep(1);
      });
      await run(() => hog.join());
    } finally {
      setLatencyWarning(previousFactor);
      setLatencyNotifier(previousNotifier);
    }
    const report = reports.find((r) => r.name === 'hog');
    expect(report).toBeDefined();
    expect(report!.where).toMatch(/^sleep\(1\)/);
    expect(report!.durationMs).toBeGreaterThanOrEqual(5);
  });

  it('accepts 0 to 300 and returns the previous factor', () => {
    const previous = setLatencyWarning(0);
    expect(setLatencyWarning(previous)).toBe(0);
    expect(() => setLatencyWarning(301)).toThrow(InvalidArgumentError);
  });
});

describe('selfishness', () => {
  it('makes a coroutine that keeps completing operations synchronously yield after N of them', async () => {
    const previous = setSelfishness(4);
    try {
      const a = new Fifo<number>();
      const b = new Fifo<number>();
      for (let k = 0; k < 10; k++) {
        a.push(k);
        b.push(k);
      }
      const order: string[] = [];
      const drain = function* (name: string, fifo: Fifo<number>) {
        for (let k = 0; k < 10; k++) order.push(`${name}${yield* fifo.pop()}`);
      };
      const x = spawn(drain, 'a', a);
      const y = spawn(drain, 'b', b);
      await run(function* () {
        yield* x.join();
        yield* y.join();
      });
      expect(order.join(' ')).toBe('a0 a1 a2 a3 b0 b1 b2 b3 a4 a5 a6 a7 b4 b5 b6 b7 a8 a9 b8 b9');
    } finally {
      setSelfishness(previous);
    }
  });

  it('setMaxSelfishActs() changes one coroutine and returns the previous value', async () => {
    const fifo = new Fifo<number>();
    for (let k = 0; k < 4; k++) fifo.push(k);
    const order: string[] = [];
    const other = spawn(function* () {
      for (let k = 0; k < 2; k++) {
        order.push('other');
        yield* yieldSlice();
      }
    });
    await run(function* () {
      expect(setMaxSelfishActs(1)).toBe(4);
      for (let k = 0; k < 4; k++) order.push(`pop${yield* fifo.pop()}`);
      yield* other.join();
    });
    // `other` was queued first; after that, each pop is followed by a forced yield
    expect(order).toEqual(['other', 'pop0', 'other', 'pop1', 'pop2', 'pop3']);
    expect(() => setSelfishness(0)).toThrow(InvalidArgumentError);
    expect(() => setMaxSelfishActs(1)).toThrow(/`co`/);
  });
});
