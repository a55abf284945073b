import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, SimultaneousWaitError, TimeoutError, spawn, toPromise, waitFor, withTimeout } from '../src/index.js';
import { useLeakCheck } from '@x/test-env';
import { run, settle } from './support.js';

useLeakCheck();
const native = createRequire(import.meta.url)('@x/native') as typeof import('@x/native');
const open: number[] = [];
afterEach(() => {
  for (const fd of open.splice(0)) native.close(fd);
});

function pipe(): [number, number] {
  const ends = native.pipe();
  open.push(...ends);
  return ends;
}

describe('waitFor()', () => {
  it('waits until an fd is readable', async () => {
    const [readEnd, writeEnd] = pipe();
    const reader = spawn(() => waitFor(readEnd, 'r'));
    await settle();
    writeSync(writeEnd, 'x');
    expect(await toPromise(reader.join())).toMatchObject({ readable: true });
  });

  it('gives writable at once for an empty pipe', async () => {
    const [, writeEnd] = pipe();
    expect(await toPromise(waitFor(writeEnd, 'w'))).toMatchObject({ writable: true });
  });

  it('refuses a second coroutine waiting on the same fd', async () => {
    const [readEnd] = pipe();
    const first = spawn(() => waitFor(readEnd, 'r'));
    await settle();
    await expect(toPromise(waitFor(readEnd, 'r'))).rejects.toBeInstanceOf(SimultaneousWaitError);
    first.shutdown();
  });

  it('stops watching when interrupted, so the fd can be waited on again', async () => {
    const [readEnd, writeEnd] = pipe();
    await expect(run(() => withTimeout(2, waitFor(readEnd, 'r')))).rejects.toBeInstanceOf(TimeoutError);
    writeSync(writeEnd, 'y');
    expect(await toPromise(waitFor(readEnd, 'rw'))).toMatchObject({ readable: true });
  });

  it('rejects a bad fd or mode with ERR_X_INVALID_ARG', () => {
    expect(() => waitFor(-1, 'r')).toThrow(InvalidArgumentError);
    expect(() => waitFor(0, 'x' as never)).toThrow(/`mode`/);
  });
});
