import { useLeakCheck } from '@x/test-env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitAfterCleanup, onExit } from '@x/signals';
import { runFixture, scratchDir, startFixture } from './run-fixture.js';

useLeakCheck();

let scratch: ReturnType<typeof scratchDir>;
beforeEach(() => {
  scratch = scratchDir();
});
afterEach(() => scratch.cleanup());

describe('exitAfterCleanup()', () => {
  it.each([
    ['a status', 'code', { code: 7, signal: null }, 'cleanup {"code":7}\n'],
    ['a signal', 'signal', { code: null, signal: 'SIGTERM' }, 'cleanup {"signal":"SIGTERM"}\n'],
    ['an error and a status', 'error', { code: 70, signal: null }, 'cleanup error=the disk is gone\n'],
  ])('ends with %s after awaiting the cleanup, past an application uncaughtException listener', async (_, request, end, log) => {
    const outcome = await runFixture('exit-after-cleanup.mjs', [scratch.path, request]);
    expect(outcome).toMatchObject({ ...end, stderr: '' });
    expect(scratch.read('log')).toBe(log);
  });

  it.each([
    ['a status out of range', { code: 256 }, 'request.code'],
    ['a fractional status', { code: 1.5 }, 'request.code'],
    ['a request with neither status, signal nor error', {}, 'request.code'],
    ['a signal a process cannot die by', { signal: 'SIGCHLD' }, 'request.signal'],
    ['an unknown signal', { signal: 'SIGNOPE' }, 'request.signal'],
    ['no request', null, 'request'],
  ])('rejects %s with ERR_X_INVALID_ARG before anything runs', (_, request, argument) => {
    expect(() => exitAfterCleanup(request as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument }));
  });
});

describe('onExit()', () => {
  it('runs every handler once, last registered first, awaiting async ones, on a normal end', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'end']);
    expect(outcome).toMatchObject({ code: 0, signal: null });
    expect(scratch.read('log')).toBe('second code=0\nfirst code=0\n');
  });

  it('tells handlers the exit code the program set', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'exit-code']);
    expect(outcome.code).toBe(3);
    expect(scratch.read('log')).toBe('second code=3\nfirst code=3\n');
  });

  it('runs handlers synchronously on process.exit(n), cutting async work at its first await', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'process-exit']);
    expect(outcome.code).toBe(4);
    expect(scratch.read('log')).toBe('second code=4\n');
  });

  describe.each(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'] as const)('on %s', (signal) => {
    it('awaits async cleanup, then the process dies by the signal', async () => {
      const fixture = startFixture('cleanup.mjs', [scratch.path, 'wait']);
      await fixture.printed('ready');
      fixture.child.kill(signal);
      const outcome = await fixture.outcome;
      expect(outcome).toMatchObject({ code: null, signal });
      expect(scratch.read('log')).toBe(`second signal=${signal}\nfirst signal=${signal}\n`);
    });
  });

  it('reports an uncaught exception as Node does, cleans up, and exits with status 1', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'throw']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('Error: boom');
    expect(scratch.read('log')).toBe('second error=boom\nfirst error=boom\n');
  });

  it('treats an unhandled rejection as an uncaught error', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'reject']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('Error: rejected');
    expect(scratch.read('log')).toBe('second error=rejected\nfirst error=rejected\n');
  });

  it('exits with the status of an uncaught Exit after awaited cleanup, printing nothing', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'throw-exit']);
    expect(outcome).toMatchObject({ code: 7, stderr: '' });
    expect(scratch.read('log')).toBe('second code=7\nfirst code=7\n');
  });

  it('ends the process by the signal of an uncaught Interruption after cleanup', async () => {
    const outcome = await runFixture('cleanup.mjs', [scratch.path, 'throw-interruption']);
    expect(outcome).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(scratch.read('log')).toBe('second signal=SIGTERM\nfirst signal=SIGTERM\n');
  });

  it('stops waiting for a handler at its deadline and runs the rest', async () => {
    const fixture = startFixture('deadline.mjs', [scratch.path]);
    await fixture.printed('ready');
    fixture.child.kill('SIGTERM');
    const outcome = await fixture.outcome;
    expect(outcome.signal).toBe('SIGTERM');
    expect(outcome.stderr).toContain('"neverEnds" did not finish within its deadline of 100 ms');
    expect(scratch.read('log')).toBe('earlier handler ran\n');
  });

  it('ends the process at once on a second signal during cleanup', async () => {
    const fixture = startFixture('second-signal.mjs', [scratch.path]);
    await fixture.printed('ready');
    fixture.child.kill('SIGTERM');
    await fixture.printed('cleaning');
    fixture.child.kill('SIGINT');
    const outcome = await fixture.outcome;
    expect(outcome).toMatchObject({ code: null, signal: 'SIGINT' });
    expect(() => scratch.read('log')).toThrow(/ENOENT/);
  });

  it('reports a failing handler and still runs the others', async () => {
    const outcome = await runFixture('handler-error.mjs', [scratch.path]);
    expect(outcome.code).toBe(0);
    expect(outcome.stderr).toContain('handler broke');
    expect(outcome.stderr).toContain('async handler broke');
    expect(scratch.read('log')).toBe('first ran\n');
  });

  it('leaves a signal the application handles to the application', async () => {
    const fixture = startFixture('handled-elsewhere.mjs', [scratch.path]);
    await fixture.printed('ready');
    fixture.child.kill('SIGINT');
    const outcome = await fixture.outcome;
    expect(outcome).toMatchObject({ code: 0, signal: null });
    expect(outcome.stdout).toContain('application handled SIGINT');
    expect(scratch.read('log')).toBe('cleanup {"code":0}\n');
  });

  it('rejects a handler that is not a function and a bad deadline', () => {
    expect(() => onExit('nope' as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'handler' }));
    expect(() => onExit(() => {}, { deadlineMs: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'options.deadlineMs' }),
    );
    expect(() => onExit(() => {}, { deadlineMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
