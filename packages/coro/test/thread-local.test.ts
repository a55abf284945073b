import { describe, expect, it } from 'vitest';
import { NotInCoroutineError, ThreadLocal, sleep, spawn } from '../src/index.js';
import { run } from './support.js';

describe('ThreadLocal', () => {
  it('keeps a separate value per coroutine, with a default', async () => {
    const local = new ThreadLocal<string | undefined>('default');
    const worker = function* (value: string | undefined) {
      const before = local.get();
      local.set(value);
      yield* sleep(1);
      return [before, local.get()];
    };
    const a = spawn(worker, 'a');
    const b = spawn(worker, undefined);
    const results = await run(function* () {
      return [yield* a.join(), yield* b.join()];
    });
    expect(results).toEqual([
      ['default', 'a'],
      ['default', undefined],
    ]);
  });

  it('delete() restores the default', async () => {
    const local = new ThreadLocal(0);
    expect(
      await run(function* () {
        local.set(5);
        local.delete();
        return local.get();
      }),
    ).toBe(0);
  });

  it('refuses use outside a coroutine', () => {
    expect(() => new ThreadLocal(1).get()).toThrow(NotInCoroutineError);
  });
});
