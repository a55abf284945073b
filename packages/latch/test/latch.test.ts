import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  Latch,
  LatchClosedError,
  LatchValueTooLargeError,
  TimeoutError,
} from '@x/latch';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('new Latch()', () => {
  it.each([
    ['options', 'big'],
    ['options.capacity', { capacity: -1 }],
    ['options.capacity', { capacity: 1.5 }],
    ['options.capacity', { capacity: 32 }],
    ['options.capacity', { capacity: '1024' }],
    ['options.waiterSlots', { waiterSlots: 0 }],
  ])('rejects a bad %s with ERR_X_INVALID_ARG naming it', (argument, options) => {
    const error = (() => {
      try {
        new Latch(options as never);
      } catch (caught) {
        return caught as InvalidArgumentError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error?.code).toBe('ERR_X_INVALID_ARG');
    expect(error?.argument).toBe(argument);
    expect(error?.message).toContain(`\`${argument}\``);
  });

  it('rounds the capacity up to a multiple of 4', () => {
    expect(new Latch({ capacity: 65 }).capacity).toBe(68);
  });
});

describe('Latch.from()', () => {
  it('opens the same queue from a handle', () => {
    const latch = new Latch<string>();
    const other = Latch.from(latch.handle);
    latch.put('shared');
    expect(other.size).toBe(1);
    expect(other.get()).toBe('shared');
    expect(latch.empty()).toBe(true);
  });

  it('survives a structured clone of the handle', () => {
    const latch = new Latch<number>();
    Latch.from(structuredClone(latch.handle)).put(7);
    expect(latch.get()).toBe(7);
  });

  it.each([[undefined], [{}], [{ kind: '@x/latch', version: 1, buffer: new SharedArrayBuffer(64) }]])(
    'rejects what is not a handle (%o) with ERR_X_INVALID_ARG',
    (handle) => {
      expect(codeOf(() => Latch.from(handle as never))).toBe('ERR_X_INVALID_ARG');
    },
  );
});

describe('put() and get()', () => {
  it('hands values out in the order they were put', () => {
    const latch = new Latch<number>();
    for (let value = 0; value < 100; value++) latch.put(value);
    expect(latch.size).toBe(100);
    const taken = Array.from({ length: 100 }, () => latch.get());
    expect(taken).toEqual(Array.from({ length: 100 }, (_, value) => value));
    expect(latch.size).toBe(0);
  });

  it('keeps records of every size whole across the end of the ring', () => {
    const latch = new Latch<string>({ capacity: 256 });
    for (let round = 0; round < 500; round++) {
      const value = 'x'.repeat(round % 97) + String(round);
      latch.put(value);
      latch.put(value.toUpperCase());
      expect(latch.get()).toBe(value);
      expect(latch.get()).toBe(value.toUpperCase());
    }
  });

  it('throws TimeoutError at once with block: false or timeout: 0 when empty', () => {
    const latch = new Latch();
    expect(codeOf(() => latch.get({ block: false }))).toBe('ERR_X_LATCH_TIMEOUT');
    expect(codeOf(() => latch.get({ timeout: 0 }))).toBe('ERR_X_LATCH_TIMEOUT');
    expect(latch.empty()).toBe(true);
  });

  it('throws TimeoutError no earlier than its timeout', () => {
    const latch = new Latch();
    const start = performance.now();
    let error: unknown;
    try {
      latch.get({ timeout: 30 });
    } catch (caught) {
      error = caught;
    }
    expect(performance.now() - start).toBeGreaterThanOrEqual(30);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(30);
    expect((error as TimeoutError).operation).toBe('get');
  });

  it('refuses a value larger than the capacity at once, with its size', () => {
    const latch = new Latch({ capacity: 128 });
    let error: unknown;
    try {
      latch.put('y'.repeat(200));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LatchValueTooLargeError);
    expect(error).toMatchObject({ code: 'ERR_X_LATCH_VALUE_TOO_LARGE', capacity: 128 });
    expect((error as LatchValueTooLargeError).size).toBeGreaterThan(128);
    expect(latch.size).toBe(0);
  });

  it('accepts a value that exactly fills the ring', () => {
    const latch = new Latch<string>({ capacity: 64 });
    // 4 (record header) + 1 (tag) + 4 (length) + 55 characters = 64 bytes.
    latch.put('z'.repeat(55));
    expect(latch.get()).toBe('z'.repeat(55));
  });

  it('blocks put on a full ring until its timeout, dropping nothing', () => {
    const latch = new Latch<string>({ capacity: 64 });
    latch.put('a'.repeat(20));
    latch.put('b'.repeat(20));
    expect(codeOf(() => latch.put('c'.repeat(20), { timeout: 20 }))).toBe('ERR_X_LATCH_TIMEOUT');
    expect(latch.get()).toBe('a'.repeat(20));
    latch.put('c'.repeat(20), { timeout: 0 });
    expect([latch.get(), latch.get()]).toEqual(['b'.repeat(20), 'c'.repeat(20)]);
  });

  it('rejects a value the structured clone algorithm refuses with ERR_X_INVALID_ARG', () => {
    const latch = new Latch<unknown>();
    expect(codeOf(() => latch.put(() => 1))).toBe('ERR_X_INVALID_ARG');
    expect(codeOf(() => latch.put({ nested: Symbol('no') }))).toBe('ERR_X_INVALID_ARG');
    expect(latch.size).toBe(0);
  });

  it.each([
    [{ timeout: -1 }, 'options.timeout'],
    [{ timeout: Number.NaN }, 'options.timeout'],
    [{ timeout: '5' }, 'options.timeout'],
    [{ block: 'no' }, 'options.block'],
  ])('rejects get(%o) with ERR_X_INVALID_ARG', (options, argument) => {
    const latch = new Latch();
    let error: unknown;
    try {
      latch.get(options as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'ERR_X_INVALID_ARG', argument });
  });
});

describe('putAsync() and getAsync()', () => {
  it('resolves a waiting getAsync when a value is put', async () => {
    const latch = new Latch<string>();
    const got = latch.getAsync();
    setTimeout(() => latch.put('later'), 5);
    await expect(got).resolves.toBe('later');
  });

  it('serves waiting getters in the order they began to wait', async () => {
    const latch = new Latch<number>();
    const order: string[] = [];
    const waits = ['first', 'second', 'third'].map((name) => latch.getAsync().then((value) => order.push(`${name}:${value}`)));
    await new Promise((resolve) => setTimeout(resolve, 5));
    latch.put(1);
    latch.put(2);
    latch.put(3);
    await Promise.all(waits);
    expect(order).toEqual(['first:1', 'second:2', 'third:3']);
  });

  it('serves more waiters than it has slots, each exactly once', async () => {
    const latch = new Latch<number>({ waiterSlots: 1 });
    const waits = Array.from({ length: 6 }, () => latch.getAsync({ timeout: 5000 }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let value = 0; value < 6; value++) latch.put(value);
    expect((await Promise.all(waits)).sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('rejects with TimeoutError no earlier than its timeout', async () => {
    const latch = new Latch();
    const start = performance.now();
    await expect(latch.getAsync({ timeout: 25 })).rejects.toBeInstanceOf(TimeoutError);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('passes the value on to the next getter when a waiter gives up', async () => {
    const latch = new Latch<string>();
    const controller = new AbortController();
    const aborted = latch.getAsync({ signal: controller.signal });
    const timedOut = latch.getAsync({ timeout: 10 });
    const patient = latch.getAsync();
    controller.abort(new Error('not needed'));
    await expect(aborted).rejects.toThrow('not needed');
    await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
    latch.put('kept');
    await expect(patient).resolves.toBe('kept');
  });

  it('hands a value promised to an aborted getter to the next one', async () => {
    const latch = new Latch<string>();
    const controller = new AbortController();
    const first = latch.getAsync({ signal: controller.signal });
    const second = latch.getAsync();
    await new Promise((resolve) => setTimeout(resolve, 5));
    latch.put('one'); // promised to `first`, which has not run yet
    controller.abort(new Error('gone'));
    const outcome = await Promise.allSettled([first, second]);
    const values = outcome.filter((result) => result.status === 'fulfilled').map((result) => result.value);
    expect(values).toEqual(['one']);
  });

  it('waits for room with putAsync and delivers every value', async () => {
    const latch = new Latch<string>({ capacity: 64 });
    const puts = ['a', 'b', 'c', 'd', 'e'].map((letter) => latch.putAsync(letter.repeat(20)));
    const taken: string[] = [];
    while (taken.length < 5) taken.push(await latch.getAsync());
    await Promise.all(puts);
    expect(taken.sort()).toEqual(['a', 'b', 'c', 'd', 'e'].map((letter) => letter.repeat(20)));
  });

  it('rejects a bad signal with ERR_X_INVALID_ARG', async () => {
    await expect(new Latch().getAsync({ signal: 'stop' } as never)).rejects.toMatchObject({
      code: 'ERR_X_INVALID_ARG',
      argument: 'options.signal',
    });
  });
});

describe('close()', () => {
  it('makes get and put throw LatchClosedError at once, even with values queued', () => {
    const latch = new Latch<number>();
    latch.put(1);
    latch.close();
    latch.close();
    expect(latch.closed).toBe(true);
    expect(codeOf(() => latch.get())).toBe('ERR_X_LATCH_CLOSED');
    expect(codeOf(() => latch.put(2))).toBe('ERR_X_LATCH_CLOSED');
  });

  it('wakes waiting getAsync and putAsync calls with LatchClosedError', async () => {
    const empty = new Latch<string>();
    const full = new Latch<string>({ capacity: 64 });
    full.put('f'.repeat(40));
    const waiting = [empty.getAsync(), empty.getAsync({ timeout: 10_000 }), full.putAsync('g'.repeat(40))];
    await new Promise((resolve) => setTimeout(resolve, 5));
    empty.close();
    full.close();
    for (const wait of waiting) await expect(wait).rejects.toBeInstanceOf(LatchClosedError);
  });
});
