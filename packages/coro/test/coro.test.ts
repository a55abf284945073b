import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  Coro,
  CoroutineShutdownError,
  DeadCoroutineError,
  Fifo,
  InvalidArgumentError,
  type Operation,
  ScheduleError,
  Shutdown,
  allThreads,
  current,
  newCoro,
  setExceptionNotifier,
  sleep,
  spawn,
} from '../src/index.js';
import { pause, run, settle } from './support.js';

function* answer(): Operation<number> {
  yield* sleep(1);
  return 42;
}

describe('spawn()', () => {
  it('runs the generator with its arguments and join() gives its return value', async () => {
    const co = spawn(function* (a: number, b: string) {
      yield* sleep(1);
      return `${a}${b}`;
    }, 1, 'x');
    expect(await run(() => co.join())).toBe('1x');
  });

  it('passes no, one or several arguments, to generators and to functions returning an operation', async () => {
    const echo = function* (...args: unknown[]): Operation<unknown[]> {
      yield* sleep(0);
      return args;
    };
    expect(await run(() => spawn(echo).join())).toEqual([]);
    expect(await run(() => spawn(echo, undefined).join())).toEqual([undefined]);
    expect(await run(() => spawn(echo, 'one').join())).toEqual(['one']);
    expect(await run(() => spawn(echo, 1, 2, 3).join())).toEqual([1, 2, 3]);
    const later = newCoro(echo, { only: true });
    later.start();
    expect(await run(() => later.join())).toEqual([{ only: true }]);
    expect(await run(() => spawn(sleep, 1).join())).toBeUndefined(); // sleep(1) itself is the operation
  });

  it('interrupted before its first slice, a one-argument coroutine never runs and its argument is not the error', async () => {
    const previous = setExceptionNotifier(() => {});
    try {
      let ran = false;
      const co = spawn(function* (_arg: string) {
        ran = true;
      }, 'argument');
      co.raiseException(new Error('stop'));
      await expect(run(() => co.join())).rejects.toThrow('stop');
      expect(ran).toBe(false);
    } finally {
      setExceptionNotifier(previous);
    }
  });

  it('lets an operation returning T give T through yield* without casts', async () => {
    const result = await run(function* () {
      const n = yield* answer();
      expectTypeOf(n).toEqualTypeOf<number>();
      const co = spawn(answer);
      expectTypeOf(co).toEqualTypeOf<Coro<number>>();
      const joined = yield* co.join();
      expectTypeOf(joined).toEqualTypeOf<number>();
      return n + joined;
    });
    expect(result).toBe(84);
  });

  it('gives each live coroutine a distinct id and lists it in allThreads until it ends', async () => {
    const a = spawn(answer);
    const b = spawn(answer);
    expect(a.id).not.toBe(b.id);
    expect(allThreads.get(a.id)).toBe(a);
    expect([...allThreads.keys()]).toContain(b.id);
    await run(function* () {
      yield* a.join();
      yield* b.join();
    });
    expect(allThreads.has(a.id)).toBe(false);
    expect(a.dead).toBe(true);
  });

  it('names a coroutine after its function, or `coro <id>`, and lets the name be set', () => {
    const named = newCoro(answer);
    const anonymous = newCoro(() => answer());
    expect(named.name).toBe('answer');
    expect(anonymous.name).toBe(`coro ${anonymous.id}`);
    named.name = 'renamed';
    expect(named.name).toBe('renamed');
    named.shutdown();
    anonymous.shutdown();
  });

  it('rejects a non-function with ERR_X_INVALID_ARG', () => {
    expect(() => spawn(42 as never)).toThrow(InvalidArgumentError);
    expect(() => spawn(42 as never)).toThrow(/`fn`/);
  });

  it('does not run the body before the current code yields', async () => {
    let ran = false;
    spawn(function* () {
      ran = true;
    });
    expect(ran).toBe(false);
    await settle();
    expect(ran).toBe(true);
  });
});

describe('newCoro() and start()', () => {
  it('does not run until start()', async () => {
    let ran = false;
    const co = newCoro(function* () {
      ran = true;
    });
    await settle();
    expect(ran).toBe(false);
    expect(co.started).toBe(false);
    co.start();
    await run(() => co.join());
    expect(ran).toBe(true);
  });

  it('refuses to start twice', async () => {
    const co = newCoro(answer).start();
    expect(() => co.start()).toThrow(ScheduleError);
    expect(() => co.start()).toThrow(expect.objectContaining({ code: 'ERR_X_CORO_SCHEDULE' }));
    await run(() => co.join());
  });
});

describe('Coro.join()', () => {
  it('refuses to join itself', async () => {
    const error = await run(function* () {
      try {
        yield* current()!.join();
      } catch (caught) {
        return caught;
      }
    });
    expect(error).toBeInstanceOf(ScheduleError);
    expect((error as Error).message).toMatch(/join itself/);
  });

  it('throws the error of a coroutine that failed', async () => {
    const previous = setExceptionNotifier(() => {});
    try {
      const co = spawn(function* () {
        yield* sleep(1);
        throw new Error('boom');
      });
      await expect(run(() => co.join())).rejects.toThrow('boom');
    } finally {
      setExceptionNotifier(previous);
    }
  });

  it('throws CoroutineShutdownError for a coroutine that was shut down', async () => {
    const co = spawn(() => sleep(10_000));
    await settle();
    co.shutdown();
    await expect(run(() => co.join())).rejects.toBeInstanceOf(CoroutineShutdownError);
  });

  it('tells every joiner, and forgets a joiner that was interrupted while waiting', async () => {
    const gate = new Fifo<string>();
    const target = spawn(() => gate.pop());
    const joiner = function* (): Operation<string> {
      return yield* target.join();
    };
    // One joiner alone, interrupted: the target forgets it, and a later joiner is told.
    const lone = spawn(joiner);
    await settle();
    lone.shutdown();
    const [first, second, third] = [spawn(joiner), spawn(joiner), spawn(joiner)];
    await settle();
    second.shutdown(); // leaves the middle of several joiners
    gate.push('done');
    expect(await run(() => first.join())).toBe('done');
    expect(await run(() => third.join())).toBe('done');
    await expect(run(() => second.join())).rejects.toBeInstanceOf(CoroutineShutdownError);
    await expect(run(() => lone.join())).rejects.toBeInstanceOf(CoroutineShutdownError);
    expect(target.dead).toBe(true);
  });
});

describe('Coro.shutdown()', () => {
  it('never runs a coroutine shut down before it started, and never fails', async () => {
    let ran = false;
    const co = newCoro(function* () {
      ran = true;
    });
    co.shutdown();
    expect(co.dead).toBe(true);
    expect(() => co.shutdown()).not.toThrow();
    expect(() => co.start()).toThrow(ScheduleError);
    await settle();
    expect(ran).toBe(false);
  });

  it('cancels a started coroutine before its first slice without running its body', async () => {
    let ran = false;
    const co = spawn(function* () {
      ran = true;
    });
    co.shutdown();
    await settle();
    expect(ran).toBe(false);
    expect(co.dead).toBe(true);
  });

  it('throws Shutdown at the suspension point, runs finally blocks and ends quietly', async () => {
    const seen: unknown[] = [];
    const notified: unknown[] = [];
    const previous = setExceptionNotifier((_co, error) => notified.push(error));
    try {
      const co = spawn(function* () {
        try {
          yield* sleep(10_000);
        } catch (error) {
          seen.push(error);
          throw error;
        } finally {
          seen.push('finally');
        }
      });
      await settle();
      co.shutdown();
      await settle();
      expect(seen[0]).toBeInstanceOf(Shutdown);
      expect(seen[1]).toBe('finally');
      expect(co.dead).toBe(true);
      expect(notified).toEqual([]);
    } finally {
      setExceptionNotifier(previous);
    }
  });
});

describe('Coro.raiseException()', () => {
  it('throws the error at the suspension point', async () => {
    const co = spawn(function* () {
      try {
        yield* sleep(10_000);
        return 'slept';
      } catch (error) {
        return (error as Error).message;
      }
    });
    await settle();
    co.raiseException(new Error('wake up'));
    expect(await run(() => co.join())).toBe('wake up');
  });

  it('refuses a dead coroutine with DeadCoroutineError', async () => {
    const co = spawn(answer);
    await run(() => co.join());
    expect(() => co.raiseException(new Error('late'))).toThrow(DeadCoroutineError);
  });

  it('refuses a coroutine that was never started', () => {
    const co = newCoro(answer);
    expect(() => co.raiseException(new Error('early'))).toThrow(ScheduleError);
    co.shutdown();
  });

  it('raised by a coroutine in itself, arrives at its next suspension point', async () => {
    const result = await run(function* () {
      current()!.raiseException(new Error('self'));
      const reached = 'after raise';
      try {
        yield* sleep(10_000);
      } catch (error) {
        return `${reached}, then ${(error as Error).message}`;
      }
    });
    expect(result).toBe('after raise, then self');
  });
});

describe('setExceptionNotifier()', () => {
  it('receives uncaught errors with the coroutine, and not Shutdown', async () => {
    const notified: [string, unknown][] = [];
    const previous = setExceptionNotifier((co, error) => notified.push([co.name, error]));
    try {
      const failing = spawn(function* failing() {
        yield* sleep(1);
        throw new Error('uncaught');
      });
      const stopped = spawn(() => sleep(10_000));
      await settle();
      stopped.shutdown();
      await pause(20);
      expect(failing.dead).toBe(true);
      expect(notified).toHaveLength(1);
      expect(notified[0]![0]).toBe('failing');
      expect((notified[0]![1] as Error).message).toBe('uncaught');
    } finally {
      expect(setExceptionNotifier(previous)).not.toBe(previous);
    }
  });

  it('falls back to the default report when the notifier throws', async () => {
    const previous = setExceptionNotifier(() => {
      throw new Error('notifier broke');
    });
    const write = process.stderr.write;
    let written = '';
    process.stderr.write = ((chunk: string) => {
      written += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      spawn(function* broken() {
        throw new Error('first');
      });
      await settle();
    } finally {
      process.stderr.write = write;
      setExceptionNotifier(previous);
    }
    expect(written).toMatch(/"broken" died of an uncaught error:\nError: first/);
    expect(written).toMatch(/notifier broke/);
  });
});
