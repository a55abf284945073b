import { Worker } from 'node:worker_threads';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { Latch, LatchClosedError } from '@x/latch';

useLeakCheck();

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

/** Starts a worker; the returned promise settles with its messages once it exits with code 0. */
function start(name: string, workerData: unknown): { worker: Worker; done: Promise<unknown[]> } {
  const worker = new Worker(fixture(name), { workerData });
  const messages: unknown[] = [];
  worker.on('message', (message) => messages.push(message));
  const done = new Promise<unknown[]>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve(messages) : reject(new Error(`${name} exited with ${code}`))));
  });
  return { worker, done };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}

describe('a latch shared with worker threads', () => {
  it('carries values to a worker and back', async () => {
    const requests = new Latch<unknown>();
    const replies = new Latch<unknown>();
    const echo = start('echo.worker.mjs', { requests: requests.handle, replies: replies.handle });
    const values = [1, 'two', { three: [3] }, new Map([[4, 'four']])];
    for (const value of values) {
      requests.put(value);
      expect(replies.get({ timeout: 10_000 })).toStrictEqual(value);
    }
    requests.close();
    await echo.done;
  });

  it('moves 1,000,000 items from 8 producers to 8 consumers, each once and in order per producer', async () => {
    const producers = 8;
    const consumers = 8;
    const count = 125_000;
    const latch = new Latch<number>({ capacity: 1 << 16 });
    const seen = new SharedArrayBuffer(producers * count);
    const consuming = Array.from({ length: consumers }, () =>
      start('consumer.worker.mjs', { handle: latch.handle, seen, producers, count }),
    );
    const producing = Array.from({ length: producers }, (_, id) =>
      start('producer.worker.mjs', { handle: latch.handle, id, count }),
    );
    await Promise.all(producing.map((producer) => producer.done));
    for (let index = 0; index < consumers; index++) latch.put(-1);
    const reports = (await Promise.all(consuming.map((consumer) => consumer.done))).map(
      (messages) => messages[0] as { taken: number; outOfOrder: number },
    );
    expect(reports.reduce((sum, report) => sum + report.taken, 0)).toBe(producers * count);
    expect(reports.map((report) => report.outOfOrder)).toEqual(new Array(consumers).fill(0));
    const marks = new Uint8Array(seen);
    expect(marks.every((mark) => mark === 1)).toBe(true);
  });

  it('wakes 16 threads waiting in get, getAsync, put and putAsync with LatchClosedError on close', async () => {
    const empty = new Latch<string>();
    const full = new Latch<string>({ capacity: 64 });
    full.put('x'.repeat(40));
    const ready = new SharedArrayBuffer(4);
    const modes = ['get', 'getAsync', 'put', 'putAsync'];
    const waiters = Array.from({ length: 16 }, (_, index) => {
      const mode = modes[index % 4]!;
      return start('wait-until-closed.worker.mjs', { handle: mode.startsWith('get') ? empty.handle : full.handle, ready, mode });
    });
    const mainWaiter = empty.getAsync();
    await until(() => Atomics.load(new Int32Array(ready), 0) === 16);
    // Let the last ones reach their wait; a waiter that arrives after close() fails the same way.
    await new Promise((resolve) => setTimeout(resolve, 100));
    empty.close();
    full.close();
    await expect(mainWaiter).rejects.toBeInstanceOf(LatchClosedError);
    const reports = (await Promise.all(waiters.map((waiter) => waiter.done))).map((messages) => messages[0]);
    expect(reports).toHaveLength(16);
    for (const report of reports) expect(report).toMatchObject({ code: 'ERR_X_LATCH_CLOSED', name: 'LatchClosedError' });
  });
});
