import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { exitBySignal } from '@x/signals';
import { runFixture } from './run-fixture.js';

useLeakCheck();

describe('exitBySignal()', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGUSR1', 'SIGPIPE', 'SIGALRM'] as const)(
    'makes the parent see the process die by %s, even with a listener installed',
    async (signal) => {
      const outcome = await runFixture('exit-by-signal.mjs', [signal]);
      expect(outcome).toMatchObject({ code: null, signal });
    },
  );

  it.each([
    ['SIGCHLD', 'SIGCHLD'],
    ['a stop signal', 'terminal/stop'],
    ['an unknown signal', 'SIGNOPE'],
  ])('rejects %s with ERR_X_INVALID_ARG', (_, signal) => {
    expect(() => exitBySignal(signal as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'signal' }));
  });
});
