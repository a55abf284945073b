// Interruption is delivered with generator.throw(): the cases where return() loses it.
import { describe, expect, it } from 'vitest';
import { CoroutineShutdownError, Fifo, Interrupted, Semaphore, Shutdown, setExceptionNotifier, sleep, spawn, toPromise, yieldSlice } from '../src/index.js';
import { pause, settle } from './support.js';

describe('interruption', () => {
  it('runs a finally block that yields to completion and then stops: nothing after the interrupted yield* runs (Effection #1190)', async () => {
    const events: string[] = [];
    function* child() {
      try {
        yield* sleep(10_000);
      } finally {
        events.push('cleanup start');
        yield* sleep(2); // the cleanup itself suspends
        yield* yieldSlice();
        events.push('cleanup end');
      }
    }
    const parent = spawn(function* parent() {
      yield* child();
      events.push('after yield* child (must not run)');
      yield* sleep(1);
      events.push('later (must not run)');
    });
    await settle();
    parent.shutdown();
    await pause(30);
    expect(events).toEqual(['cleanup start', 'cleanup end']);
    expect(parent.dead).toBe(true);
  });

  it('lets a yield* inside finally run in full after an interruption (Effection #1154)', async () => {
    const events: string[] = [];
    const co = spawn(function* () {
      try {
        yield* sleep(10_000);
      } finally {
        for (let k = 0; k < 3; k++) {
          yield* sleep(1);
          events.push(`step ${k}`);
        }
      }
      events.push('continued (must not run)');
    });
    await settle();
    co.shutdown();
    await pause(30);
    expect(events).toEqual(['step 0', 'step 1', 'step 2']);
  });

  it('makes Interrupted the base of TimeoutError and Shutdown', () => {
    expect(new Shutdown()).toBeInstanceOf(Interrupted);
    expect(new Interrupted('tag').tag).toBe('tag');
    expect(new Interrupted()).toMatchObject({ code: 'ERR_X_CORO_INTERRUPTED' });
  });

  it('interrupts a coroutine that is queued after a forced yield', async () => {
    let reached = false;
    const co = spawn(function* () {
      yield* yieldSlice();
      reached = true;
    });
    co.shutdown();
    await settle();
    expect(reached).toBe(false);
    expect(co.dead).toBe(true);
  });

  it('lets an interruption win over a wakeup that lands before the coroutine runs, and gives the item back', async () => {
    const jobs = new Fifo<number>();
    const gate = new Semaphore(0);
    const errors: unknown[] = [];
    const previous = setExceptionNotifier((_co, error) => errors.push(error));
    try {
      let popped: number | undefined;
      const victim = spawn(function* () {
        popped = yield* jobs.pop();
      });
      const failing = spawn(function* () {
        yield* gate.acquire();
      });
      await settle();
      spawn(function* () {
        // Both in one slice: the interruption is queued first, then the wakeup arrives.
        victim.shutdown();
        jobs.push(7);
        failing.raiseException(new Interrupted('first'));
        gate.release(); // a grant after the interruption must not replace it
      });
      await settle();
      expect(victim.dead && failing.dead).toBe(true);
      expect(popped).toBeUndefined();
      expect(jobs.size).toBe(1); // the item went back
      expect(gate.value).toBe(1); // the permit it was granted went back too
      expect(errors).toHaveLength(1);
      // Shut down, not failed with the handed-over item; the other failed with its interruption.
      await expect(toPromise(victim.join())).rejects.toBeInstanceOf(CoroutineShutdownError);
      await expect(toPromise(failing.join())).rejects.toMatchObject({ tag: 'first' });
    } finally {
      setExceptionNotifier(previous);
    }
  });

  it('throws a TypeError into a coroutine that used yield instead of yield*', async () => {
    const co = spawn(function* () {
      try {
        yield 'oops' as never;
      } catch (error) {
        return (error as Error).message;
      }
    });
    await settle();
    await expect(toPromise(co.join())).resolves.toMatch(/use `yield\*` with an operation/);
  });

  it('throws the same TypeError for a bare yield, which carries undefined like a parked operation', async () => {
    const co = spawn(function* () {
      try {
        yield undefined as never;
      } catch (error) {
        return (error as Error).message;
      }
    });
    await settle();
    await expect(toPromise(co.join())).resolves.toMatch(/yielded undefined: use `yield\*` with an operation/);
  });
});
