import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { native } from './native.js';

useLeakCheck();

// The events of the first callback of a watch, which is then stopped.
function nextEvents(fd: number, events: 'r' | 'w' | 'rw') {
  return new Promise<unknown>((resolve) => {
    const stop = native.watchFd(fd, events, (error, ready) => {
      stop();
      resolve(error ?? ready);
    });
  });
}

describe('watchFd()', () => {
  it('reports a pipe becoming readable', async () => {
    const [readEnd, writeEnd] = native.pipe();
    const ready = new Promise<unknown>((resolve) => {
      const stop = native.watchFd(readEnd, 'r', (error, events) => {
        stop();
        const buffer = Buffer.alloc(16);
        resolve({ error, events, data: buffer.subarray(0, readSync(readEnd, buffer)).toString() });
      });
    });
    writeSync(writeEnd, 'wake');
    expect(await ready).toEqual({ error: null, events: { readable: true, writable: false, hangup: false }, data: 'wake' });
    native.close(readEnd);
    native.close(writeEnd);
  });

  it('reports a socket writable, and a hang-up when the peer closes', async () => {
    const [left, right] = native.socketpair('stream');
    expect(await nextEvents(left, 'w')).toMatchObject({ writable: true });
    native.close(right);
    expect(await nextEvents(left, 'rw')).toMatchObject({ hangup: true });
    native.close(left);
  });

  it('sends an exception thrown by the callback to uncaughtException', async () => {
    const [readEnd, writeEnd] = native.pipe();
    const thrown = new Error('from the callback');
    const caught = new Promise((resolve) => process.once('uncaughtException', resolve));
    const stop = native.watchFd(readEnd, 'r', () => {
      stop();
      throw thrown;
    });
    writeSync(writeEnd, 'x');
    expect(await caught).toBe(thrown);
    native.close(readEnd);
    native.close(writeEnd);
  });

  it('throws EEXIST for an fd already watched, EPERM for a regular file, EBADF for a closed fd', () => {
    const [readEnd, writeEnd] = native.pipe();
    const stop = native.watchFd(readEnd, 'r', () => {});
    expect(() => native.watchFd(readEnd, 'r', () => {})).toThrow(expect.objectContaining({ code: 'EEXIST', syscall: 'uv_poll_init' }));
    stop();
    native.close(readEnd);
    native.close(writeEnd);
    expect(() => native.watchFd(readEnd, 'r', () => {})).toThrow(expect.objectContaining({ code: 'EBADF' }));
    const file = openSync(fileURLToPath(import.meta.url), 'r');
    try {
      expect(() => native.watchFd(file, 'r', () => {})).toThrow(expect.objectContaining({ code: 'EPERM' }));
    } finally {
      closeSync(file);
    }
  });

  it('rejects unknown events and a missing callback', () => {
    expect(() => native.watchFd(0, 'x' as never, () => {})).toThrow(/Expected `events` to be one of 'r', 'w', 'rw'/);
    expect(() => native.watchFd(0, 'r', undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
