// Semaphore, Mutex, ConditionVariable and RwLock: ordering, and waiters that leave when interrupted.
import { describe, expect, it } from 'vitest';
import {
  ConditionVariable,
  InvalidArgumentError,
  Mutex,
  NotOwnerError,
  type Operation,
  RwLock,
  Semaphore,
  TimeoutError,
  sleep,
  spawn,
  withTimeout,
} from '../src/index.js';
import { run, settle } from './support.js';

function* timesOut(op: Operation<unknown>): Operation<boolean> {
  try {
    yield* withTimeout(1, op);
    return false;
  } catch (error) {
    if (error instanceof TimeoutError) return true;
    throw error;
  }
}

describe('Semaphore', () => {
  it('lets at most `value` holders in at once', async () => {
    const slots = new Semaphore(2);
    let inside = 0;
    let most = 0;
    const worker = function* () {
      yield* slots.acquire();
      try {
        most = Math.max(most, ++inside);
        yield* sleep(2);
      } finally {
        inside--;
        slots.release();
      }
    };
    const workers = Array.from({ length: 5 }, () => spawn(worker));
    await run(function* () {
      for (const co of workers) yield* co.join();
    });
    expect(most).toBe(2);
    expect(slots.value).toBe(2);
  });

  it('serves a large request before later small ones', async () => {
    const sem = new Semaphore(1);
    const order: string[] = [];
    const big = spawn(function* () {
      yield* sem.acquire(2);
      order.push('big');
    });
    await settle();
    const small = spawn(function* () {
      yield* sem.acquire(1);
      order.push('small');
    });
    await settle();
    expect(order).toEqual([]);
    sem.release(1);
    await run(function* () {
      yield* big.join();
    });
    sem.release(2);
    await run(() => small.join());
    expect(order).toEqual(['big', 'small']);
  });

  it('removes an interrupted waiter, letting the requests behind it through', async () => {
    const sem = new Semaphore(1);
    const result = await run(function* () {
      const small = spawn(function* () {
        yield* sleep(1);
        yield* sem.acquire(1);
        return 'small got in';
      });
      const big = yield* timesOut(sem.acquire(2));
      return [big, yield* small.join()];
    });
    expect(result).toEqual([true, 'small got in']);
    expect(sem.waiting).toBe(0);
  });

  it('gives back the permits of a waiter interrupted after they were granted', async () => {
    const sem = new Semaphore(0);
    const waiter = spawn(() => sem.acquire());
    await settle();
    await run(function* () {
      sem.release(); // granted to the waiter, which has not run yet
      waiter.shutdown();
    });
    await settle();
    expect(sem.value).toBe(1);
  });

  it('rejects bad counts with ERR_X_INVALID_ARG', () => {
    expect(() => new Semaphore(-1)).toThrow(InvalidArgumentError);
    expect(() => new Semaphore(1).acquire(0)).toThrow(/`count`/);
  });
});

describe('Mutex', () => {
  it('excludes other coroutines and hands the lock over in arrival order', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    const worker = function* (name: string) {
      const waited = yield* mutex.lock();
      order.push(`${name}${waited ? ' (waited)' : ''}`);
      yield* sleep(1);
      mutex.unlock();
    };
    const cos = ['a', 'b', 'c'].map((name) => spawn(worker, name));
    await run(function* () {
      for (const co of cos) yield* co.join();
    });
    expect(order).toEqual(['a', 'b (waited)', 'c (waited)']);
    expect(mutex.locked).toBe(false);
  });

  it('is recursive, and tryLock() says whether it got the lock', async () => {
    const mutex = new Mutex();
    await run(function* () {
      yield* mutex.lock();
      expect(yield* mutex.lock()).toBe(false);
      expect(mutex.tryLock()).toBe(true);
      mutex.unlock();
      mutex.unlock();
      expect(mutex.locked).toBe(true);
      mutex.unlock();
      expect(mutex.locked).toBe(false);
    });
    expect(mutex.tryLock()).toBe(false); // outside a coroutine
  });

  it('refuses unlock() by a coroutine that does not hold it', async () => {
    const mutex = new Mutex();
    const holder = spawn(function* () {
      yield* mutex.lock();
      yield* sleep(10_000);
    });
    await settle();
    await expect(run(function* () { mutex.unlock(); })).rejects.toBeInstanceOf(NotOwnerError);
    holder.shutdown();
  });

  it('removes an interrupted waiter, and passes on a lock handed to a waiter that was interrupted', async () => {
    const mutex = new Mutex();
    await run(function* () {
      yield* mutex.lock();
      expect(yield* spawn(() => timesOut(mutex.lock())).join()).toBe(true);
      expect(mutex.waiting).toBe(0);
      const first = spawn(() => mutex.lock());
      const second = spawn(() => mutex.lock());
      yield* sleep(1);
      mutex.unlock(); // handed to first, which has not run yet
      first.shutdown(); // it passes on to second
      yield* second.join();
      expect(mutex.owner).toBe(second);
    });
  });

  it('withLock() releases however the operation ends', async () => {
    const mutex = new Mutex();
    await expect(
      run(() =>
        mutex.withLock(function* () {
          throw new Error('inside');
        }()),
      ),
    ).rejects.toThrow('inside');
    expect(mutex.locked).toBe(false);
  });
});

describe('ConditionVariable', () => {
  it('wakes waiters in order with the value given', async () => {
    const cv = new ConditionVariable<string>();
    const got: string[] = [];
    for (const name of ['a', 'b', 'c']) spawn(function* () { got.push(`${name}=${yield* cv.wait()}`); });
    await settle();
    expect(cv.wakeOne('1')).toBe(true);
    expect(cv.wakeN(1, '2')).toBe(1);
    expect(cv.wakeAll('3')).toBe(1);
    expect(cv.wakeOne('none')).toBe(false);
    expect(got).toEqual(['a=1', 'b=2', 'c=3']);
  });

  it('raiseAll() throws in every waiter', async () => {
    const cv = new ConditionVariable();
    const cos = [0, 1].map(() =>
      spawn(function* () {
        try {
          yield* cv.wait();
        } catch (error) {
          return (error as Error).message;
        }
      }),
    );
    await settle();
    expect(cv.raiseAll(new Error('closed'))).toBe(2);
    expect(await run(function* () { return [yield* cos[0]!.join(), yield* cos[1]!.join()]; })).toEqual(['closed', 'closed']);
  });

  it('removes an interrupted waiter, and passes a wakeup it had not used to the next waiter', async () => {
    const cv = new ConditionVariable<number>();
    expect(await run(() => timesOut(cv.wait()))).toBe(true);
    expect(cv.waiting).toBe(0);
    const first = spawn(() => cv.wait());
    const second = spawn(() => cv.wait());
    await settle();
    await run(function* () {
      cv.wakeOne(5); // to first, which has not run yet
      first.shutdown(); // the wakeup passes to second
    });
    expect(await run(() => second.join())).toBe(5);
  });
});

describe('RwLock', () => {
  it('admits readers together and a writer alone, in arrival order', async () => {
    const lock = new RwLock();
    const log: string[] = [];
    const reader = function* (name: string) {
      yield* lock.readLock();
      log.push(`${name} in (${lock.readers} readers)`);
      yield* sleep(2);
      lock.readUnlock();
    };
    const writer = function* () {
      yield* lock.writeLock();
      log.push(`writer in (${lock.readers} readers)`);
      yield* sleep(1);
      lock.writeUnlock();
    };
    const cos = [spawn(reader, 'r1'), spawn(reader, 'r2'), spawn(writer), spawn(reader, 'r3')];
    await run(function* () {
      for (const co of cos) yield* co.join();
    });
    expect(log).toEqual(['r1 in (1 readers)', 'r2 in (2 readers)', 'writer in (0 readers)', 'r3 in (1 readers)']);
  });

  it('removes interrupted waiters, and a leaving writer lets the readers behind it in', async () => {
    const lock = new RwLock();
    await run(function* () {
      yield* lock.readLock();
      const reader = spawn(function* () {
        yield* sleep(1);
        yield* lock.readLock(); // queued behind the writer
        lock.readUnlock();
        return 'read';
      });
      expect(yield* timesOut(lock.writeLock())).toBe(true);
      expect(yield* reader.join()).toBe('read');
      expect(lock.waiters.size).toBe(0);
      lock.readUnlock();
    });
  });

  it('refuses releases by non-holders', async () => {
    const lock = new RwLock();
    expect(() => lock.readUnlock()).toThrow(NotOwnerError);
    await expect(run(function* () { lock.writeUnlock(); })).rejects.toBeInstanceOf(NotOwnerError);
  });
});
