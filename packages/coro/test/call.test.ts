import { describe, expect, expectTypeOf, it } from 'vitest';
import { DeadCoroutineError, InvalidArgumentError, Shutdown, call, sleep, spawn, toPromise, useAbortSignal, withTimeout } from '../src/index.js';
import { run, settle } from './support.js';

describe('call()', () => {
  it('gives the value of a promise, or of the promise a function returns', async () => {
    const result = await run(function* () {
      const a = yield* call(Promise.resolve(1));
      const b = yield* call(async () => 'two');
      expectTypeOf(a).toEqualTypeOf<number>();
      expectTypeOf(b).toEqualTypeOf<string>();
      return [a, b];
    });
    expect(result).toEqual([1, 'two']);
  });

  it('throws a rejection at the yield*', async () => {
    await expect(run(() => call(Promise.reject(new Error('rejected'))))).rejects.toThrow('rejected');
  });

  it('stays interruptible while the promise is pending', async () => {
    const never = new Promise<never>(() => {});
    await expect(run(() => withTimeout(1, call(never)))).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('rejects a non-promise with ERR_X_INVALID_ARG', () => {
    expect(() => call(42 as never)).toThrow(InvalidArgumentError);
  });
});

describe('toPromise()', () => {
  it('resolves with the result and rejects with the error of the operation', async () => {
    expect(await toPromise(function* () { yield* sleep(1); return 'ok'; }())).toBe('ok');
    await expect(toPromise(function* () { throw new Error('no'); }())).rejects.toThrow('no');
  });

  it('rejects a non-operation with ERR_X_INVALID_ARG', () => {
    expect(() => toPromise(42 as never)).toThrow(InvalidArgumentError);
  });
});

describe('useAbortSignal()', () => {
  it('aborts with the interruption when the coroutine is interrupted', async () => {
    let signal: AbortSignal | undefined;
    const co = spawn(function* () {
      signal = yield* useAbortSignal();
      yield* sleep(10_000);
    });
    await settle();
    expect(signal!.aborted).toBe(false);
    co.shutdown();
    expect(signal!.aborted).toBe(true);
    expect(signal!.reason).toBeInstanceOf(Shutdown);
  });

  it('aborts when the coroutine ends', async () => {
    const signal = await run(function* () {
      return yield* useAbortSignal();
    });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DeadCoroutineError);
  });
});
