import { describe, expect, expectTypeOf, it } from 'vitest';
import { InParallelError, InvalidArgumentError, type Operation, inParallel, sleep, spawn } from '../src/index.js';
import { run, settle } from './support.js';

function* delayed<T>(ms: number, value: T): Operation<T> {
  yield* sleep(ms);
  return value;
}

function* slowName(ms: number): Operation<string> {
  return yield* delayed(ms, 'slow');
}

function* quickNumber(ms: number): Operation<number> {
  return yield* delayed(ms, 42);
}

function* failing(ms: number, message: string): Operation<never> {
  yield* sleep(ms);
  throw new Error(message);
}

describe('inParallel()', () => {
  it('runs the jobs at once and gives their results in job order, typed per position', async () => {
    const started: number[] = [];
    const result = await run(function* () {
      const results = yield* inParallel([
        [slowName, [5]],
        [quickNumber, [1]],
        [
          function* () {
            started.push(1);
            return true;
          },
        ],
      ]);
      expectTypeOf(results).toEqualTypeOf<[string, number, boolean]>();
      return results;
    });
    expect(result).toEqual(['slow', 42, true]);
    expect(started).toEqual([1]);
  });

  it('raises InParallelError with every result once all jobs have ended; one failure does not stop the others', async () => {
    let lateFinished = false;
    const error = await run(function* () {
      try {
        yield* inParallel([
          [failing, [1, 'first failed']],
          [
            function* () {
              yield* sleep(5);
              lateFinished = true;
              return 'late';
            },
          ],
          [failing, [2, 'third failed']],
        ]);
      } catch (caught) {
        return caught;
      }
    });
    expect(error).toBeInstanceOf(InParallelError);
    expect(lateFinished).toBe(true);
    const { results, code } = error as InParallelError;
    expect(code).toBe('ERR_X_CORO_IN_PARALLEL');
    expect(results[0]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'first failed' }) });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'late' });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'third failed' }) });
  });

  it('shuts down the jobs still running when the waiting coroutine is interrupted', async () => {
    const cleaned: number[] = [];
    const job = function* (n: number) {
      try {
        yield* sleep(10_000);
      } finally {
        cleaned.push(n);
      }
    };
    const waiter = spawn(() => inParallel([[job, [1]], [job, [2]]]));
    await settle();
    waiter.shutdown();
    await settle();
    expect(cleaned.sort()).toEqual([1, 2]);
    expect(waiter.dead).toBe(true);
  });

  it('rejects jobs that are not [function, args?] pairs', () => {
    expect(() => inParallel([[42 as never]])).toThrow(InvalidArgumentError);
    expect(() => inParallel('jobs' as never)).toThrow(/`jobs`/);
  });
});
