import { describe, expect, it } from 'vitest';
import { Fifo, NotInCoroutineError, spawn, withTimeout } from '../src/index.js';
import { run, settle } from './support.js';

describe('Fifo', () => {
  it('gives items in the order pushed, waiting while empty', async () => {
    const fifo = new Fifo<number>();
    const consumer = spawn(function* () {
      const got: number[] = [];
      for (let k = 0; k < 3; k++) got.push(yield* fifo.pop());
      return got;
    });
    await settle();
    expect(fifo.waiting).toBe(1);
    fifo.push(1);
    fifo.push(2);
    fifo.push(3);
    expect(await run(() => consumer.join())).toEqual([1, 2, 3]);
  });

  it('keeps order across the compaction of taken items (thousands queued, most taken)', async () => {
    const fifo = new Fifo<number>();
    for (let k = 0; k < 3_000; k++) fifo.push(k);
    const got = await run(function* () {
      const taken: number[] = [];
      for (let k = 0; k < 2_000; k++) taken.push(yield* fifo.pop()); // compacts past 1024 taken
      return taken;
    });
    expect(got).toEqual(Array.from({ length: 2_000 }, (_, k) => k));
    expect(fifo.size).toBe(1_000);
    expect(fifo.top()).toBe(2_000);
    fifo.pushFront(-1);
    fifo.push(3_000);
    const rest = await run(function* () {
      return yield* fifo.popAll();
    });
    expect(rest).toEqual([-1, ...Array.from({ length: 1_001 }, (_, k) => 2_000 + k)]);
  });

  it('serves waiting poppers in the order they came', async () => {
    const fifo = new Fifo<string>();
    const got: string[] = [];
    for (const name of ['first', 'second']) spawn(function* () { got.push(`${name}:${yield* fifo.pop()}`); });
    await settle();
    fifo.push('a');
    fifo.push('b');
    expect(got).toEqual(['first:a', 'second:b']);
  });

  it('pushFront, top, popAll and size', async () => {
    const fifo = new Fifo<number>();
    fifo.push(2);
    fifo.pushFront(1);
    expect(fifo.top()).toBe(1);
    expect(fifo.size).toBe(2);
    expect(await run(() => fifo.popAll())).toEqual([1, 2]);
    expect(fifo.size).toBe(0);
    const later = spawn(() => fifo.popAll());
    await settle();
    fifo.push(3);
    expect(await run(() => later.join())).toEqual([3]);
  });

  it('removes an interrupted popper from the queue', async () => {
    const fifo = new Fifo<number>();
    const error = await run(function* () {
      try {
        yield* withTimeout(1, fifo.pop());
      } catch (caught) {
        return caught;
      }
    });
    expect((error as Error).name).toBe('TimeoutError');
    expect(fifo.waiting).toBe(0);
    fifo.push(7);
    expect(fifo.size).toBe(1);
  });

  it('puts an item back at the front when its popper is interrupted after the handoff', async () => {
    const fifo = new Fifo<string>();
    const waiting = spawn(() => fifo.pop());
    await settle();
    const driver = spawn(function* () {
      fifo.push('x'); // from a coroutine: the popper is queued with the item but has not run yet
      waiting.shutdown(); // forced: it never takes the item, which goes back to the front
    });
    await run(() => driver.join());
    await settle();
    expect(waiting.dead).toBe(true);
    expect(fifo.top()).toBe('x');
    expect(fifo.waiting).toBe(0);
  });

  it('refuses to pop outside a coroutine', () => {
    expect(() => new Fifo().pop()[Symbol.iterator]().next()).toThrow(NotInCoroutineError);
  });
});
