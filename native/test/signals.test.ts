import { constants } from 'node:os';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { runFixture } from './fixture.js';
import { native } from './native.js';

useLeakCheck();

const { SIGUSR1, SIGUSR2, SIGKILL, SIGSTOP, SIGWINCH } = constants.signals;

describe('raiseDefault()', () => {
  it('ends a child by SIGUSR1, which Node claims for its inspector: the parent sees SIGUSR1', () => {
    const result = runFixture('raise-default.cjs', ['SIGUSR1']);
    expect(result).toMatchObject({ status: null, signal: 'SIGUSR1', stdout: '' });
  });

  it('ends a child by SIGPIPE, which Node ignores', () => {
    expect(runFixture('raise-default.cjs', ['SIGPIPE'])).toMatchObject({ signal: 'SIGPIPE' });
  });

  it('returns for a signal whose default is to be ignored', () => {
    expect(runFixture('raise-default.cjs', ['SIGWINCH'])).toMatchObject({ status: 0, stdout: 'raiseDefault returned' });
  });

  it('throws EINVAL for SIGKILL and ERR_X_INVALID_ARG for a non-signal', () => {
    expect(() => native.raiseDefault(SIGKILL)).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'sigaction' }));
    expect(() => native.raiseDefault(0)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', name: 'TypeError' }));
  });
});

describe('setDisposition(), captureDisposition() and restoreDisposition()', () => {
  it("give back Node's own disposition (SIGPIPE ignored) after a default one came and went", () => {
    expect(runFixture('sigpipe-disposition.cjs', ['restore'])).toMatchObject({ status: 0, signal: null, stdout: 'survived SIGPIPE' });
    // The same child without the restore dies by the signal: the fixture can tell the two apart.
    expect(runFixture('sigpipe-disposition.cjs', ['keep-default'])).toMatchObject({ status: null, signal: 'SIGPIPE', stdout: '' });
  });

  it('throws EINVAL for SIGSTOP', () => {
    expect(() => native.setDisposition(SIGSTOP, 'ignore')).toThrow(expect.objectContaining({ code: 'EINVAL', errno: -22 }));
  });
});

describe('sigmask()', () => {
  it('blocks and unblocks signals in the calling thread and returns the previous mask', () => {
    const original = native.sigmask('block', [SIGWINCH]);
    expect(original).not.toContain(SIGWINCH);
    expect(native.sigmask('block', [SIGUSR2])).toContain(SIGWINCH);
    expect(native.sigmask('unblock', [SIGWINCH, SIGUSR2])).toEqual(expect.arrayContaining([SIGWINCH, SIGUSR2]));
    expect(native.sigmask('set', original)).toEqual(original);
  });

  it('rejects another how and signals out of range', () => {
    expect(() => native.sigmask('add' as never, [])).toThrow(/Expected `how` to be one of 'block', 'unblock', 'set'/);
    expect(() => native.sigmask('block', [SIGUSR1, 0])).toThrow(/Expected `signals\[1\]` to be an integer from 1 to/);
  });
});

describe('installInterruptWord()', () => {
  const run = (name: string) => runFixture('interrupt-word.cjs', [name]);
  const report = (name: string) => {
    const result = run(name);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout);
  };

  it("counts a delivery and the signal's number, then chains to libuv's handler so the JS listener runs", () => {
    expect(report('chains-to-listener')).toEqual({ counter: 1, last: SIGUSR2, heard: 1 });
  });

  it("chains again when called after libuv replaced the handler for a new listener", () => {
    expect(report('recall-after-libuv')).toEqual({ before: 0, after: 1, heard: 2 });
  });

  it("gives libuv's handler back on uninstallInterruptWord(): the listener runs, the counter stays", () => {
    expect(report('uninstall')).toEqual({ counter: 0, heard: 1 });
  });

  it('counts into the newest buffer', () => {
    expect(report('new-buffer')).toEqual({ first: 0, second: 1, last: SIGUSR2 });
  });

  it('stops writing to a buffer once the worker that registered it has ended', () => {
    expect(report('worker-exit')).toEqual({ duringWorker: 1, afterWorker: 1, heard: 2 });
  });

  it("keeps Node's default SIGINT behavior: the process ends by SIGINT", () => {
    expect(run('default-sigint')).toMatchObject({ signal: 'SIGINT', stdout: '' });
  });

  it('keeps a default disposition: SIGTERM still ends the process', () => {
    expect(run('default-sigterm')).toMatchObject({ signal: 'SIGTERM', stdout: '' });
  });

  it('rejects what is not a SharedArrayBuffer of 8 bytes, and SIGKILL, before installing anything', () => {
    expect(() => native.installInterruptWord(new ArrayBuffer(8) as never, [SIGUSR2])).toThrow(
      /Expected `buffer` to be a SharedArrayBuffer of at least 8 bytes, got an object/,
    );
    expect(() => native.installInterruptWord(new SharedArrayBuffer(4), [SIGUSR2])).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    expect(() => native.installInterruptWord(new SharedArrayBuffer(8), [SIGUSR2, SIGKILL])).toThrow(
      expect.objectContaining({ code: 'EINVAL', syscall: 'sigaction' }),
    );
    expect(() => native.uninstallInterruptWord([NaN])).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
