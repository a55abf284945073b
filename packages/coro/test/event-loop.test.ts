import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { startFixture } from './fixture.js';

useLeakCheck();

describe('eventLoop()', () => {
  for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`ends on ${signal} with status ${status}, after every coroutine's cleanup, and removes its handlers`, async () => {
      const program = startFixture('event-loop.mjs', ['default']);
      await program.output('ready');
      await new Promise((resolve) => setTimeout(resolve, 50)); // the loop is waiting now
      program.child.kill(signal);
      const end = await program.ended;
      expect(end.stdout).toContain('cleanup ran');
      expect(end.stdout).toContain(`loop ended with ${status}; listeners before SIGINT=0 SIGTERM=0, after SIGINT=0 SIGTERM=0`);
      expect(end).toMatchObject({ code: status, signal: null });
    });
  }

  it('with installSignalHandlers(false), leaves SIGINT to its default action', async () => {
    const program = startFixture('event-loop.mjs', ['no-handlers']);
    await program.output('ready');
    await new Promise((resolve) => setTimeout(resolve, 50));
    program.child.kill('SIGINT');
    const end = await program.ended;
    expect(end).toMatchObject({ code: null, signal: 'SIGINT' });
    expect(end.stdout).not.toContain('cleanup ran');
  });

  it('ends with the status given to setExit(), shutting down the coroutines left', async () => {
    const end = await startFixture('event-loop.mjs', ['set-exit']).ended;
    expect(end.stdout).toContain('cleanup ran');
    expect(end.stdout).toContain('loop ended with 7');
    expect(end.code).toBe(7);
  });
});
