import { describe, expect, it } from 'vitest';
import { Interrupted, InvalidArgumentError, type Operation, Shutdown, TimeoutError, sleep, spawn, toPromise, withTimeout, yieldSlice } from '../src/index.js';
import { run, settle } from './support.js';

function* caught<T>(op: Operation<T>): Operation<T | unknown> {
  try {
    return yield* op;
  } catch (error) {
    return error;
  }
}

describe('withTimeout()', () => {
  it('gives the result of an operation that finishes in time', async () => {
    expect(
      await run(function* () {
        return yield* withTimeout(1_000, function* () {
          yield* sleep(1);
          return 'done';
        }());
      }),
    ).toBe('done');
  });

  it('interrupts an operation that takes too long and throws TimeoutError', async () => {
    let cleaned = false;
    const error = await run(() =>
      caught(
        withTimeout(5, function* () {
          try {
            yield* sleep(10_000);
          } finally {
            cleaned = true;
          }
        }()),
      ),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(Interrupted);
    expect(error).toMatchObject({ code: 'ERR_X_CORO_TIMEOUT', timeoutMs: 5 });
    expect(cleaned).toBe(true);
  });

  it('withTimeout(0, op) raises TimeoutError at the first suspension', async () => {
    expect(await run(() => caught(withTimeout(0, sleep(0))))).toBeInstanceOf(TimeoutError);
    expect(await run(() => caught(withTimeout(0, yieldSlice())))).toBeInstanceOf(TimeoutError);
  });

  it('never times out an operation that completes without suspending', async () => {
    expect(
      await run(() =>
        withTimeout(0, function* () {
          return 'synchronous';
        }()),
      ),
    ).toBe('synchronous');
  });

  it('counts a negative limit as 0 and rejects a non-number with ERR_X_INVALID_ARG', async () => {
    expect(await run(() => caught(withTimeout(-5, sleep(10))))).toBeInstanceOf(TimeoutError);
    expect(() => withTimeout('5' as never, sleep(1))).toThrow(InvalidArgumentError);
    expect(() => withTimeout(Number.NaN, sleep(1))).toThrow(/`ms`/);
  });

  it('nested: when the outer fires, inner handlers see Interrupted and only the outer throws TimeoutError', async () => {
    const seen: string[] = [];
    const outer = await run(() =>
      caught(
        withTimeout(5, function* () {
          try {
            yield* withTimeout(10_000, function* () {
              try {
                yield* sleep(10_000);
              } catch (error) {
                seen.push(`innermost: ${(error as Error).name}`);
                throw error;
              }
            }());
          } catch (error) {
            seen.push(`between: ${(error as Error).name}, TimeoutError? ${error instanceof TimeoutError}`);
            throw error;
          }
        }()),
      ),
    );
    expect(seen).toEqual(['innermost: Interrupted', 'between: Interrupted, TimeoutError? false']);
    expect(outer).toBeInstanceOf(TimeoutError);
    expect((outer as TimeoutError).timeoutMs).toBe(5);
  });

  it('nested: when the inner fires, the inner one throws TimeoutError and the outer passes it on', async () => {
    const error = await run(() => caught(withTimeout(10_000, withTimeout(5, sleep(10_000)))));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(5);
  });

  it('passes on an interruption that is not its own (a shutdown) unchanged', async () => {
    const co = spawn(() => caught(withTimeout(10_000, sleep(10_000))));
    await settle();
    co.shutdown();
    await settle();
    expect(co.dead).toBe(true);
    await expect(toPromise(co.join())).resolves.toBeInstanceOf(Shutdown);
  });
});
