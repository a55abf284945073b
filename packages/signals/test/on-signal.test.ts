import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { ignore, onSignal } from '@x/signals';
import { startFixture } from './run-fixture.js';

useLeakCheck();

interface Snapshot {
  step: string;
  counts: Record<string, number>;
  caught: string;
  ignored: string;
}

describe('onSignal()', () => {
  it('calls the handler for each signal, and after the last dispose the default action is back', async () => {
    const fixture = startFixture('on-signal.mjs');
    await fixture.printed('ready');
    fixture.child.kill('SIGUSR2');
    await fixture.printed('handled');
    fixture.child.kill('SIGWINCH');
    await fixture.printed('disposed');
    fixture.child.kill('SIGUSR2');
    const outcome = await fixture.outcome;
    expect(outcome).toMatchObject({ code: null, signal: 'SIGUSR2' });
    const events = outcome.stdout.split('\n').filter((l) => l.startsWith('handled '));
    expect(events.map((l) => JSON.parse(l.slice('handled '.length)))).toEqual([
      { identifier: 'SIGUSR2', code: 12, name: 'user/2' },
      { identifier: 'SIGWINCH', code: 28, name: 'terminal/delta' },
    ]);
  });

  it('installs nothing on import, and disposing restores listeners and kernel dispositions exactly', async () => {
    const fixture = startFixture('listeners.mjs');
    await fixture.printed('ready');
    fixture.child.kill('SIGTERM');
    const outcome = await fixture.outcome;
    const steps = outcome.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Snapshot);
    const [start, imported, registered, disposed] = steps;
    // Node itself may hold an 'exit' listener before x loads (stdout as a pipe), so counts are relative.
    const signalListeners = Object.entries(start!.counts).filter(([event]) => event.startsWith('SIG'));
    expect(signalListeners.every(([, n]) => n === 0)).toBe(true);
    expect(imported).toEqual({ ...start, step: 'imported' });
    expect(registered!.counts).toMatchObject({
      SIGINT: 2,
      SIGTERM: 2,
      SIGUSR1: 1,
      SIGPIPE: 1,
      exit: start!.counts.exit! + 1,
      uncaughtException: start!.counts.uncaughtException! + 1,
    });
    // Node's own SIGPIPE ignore and SIGUSR1 (inspector) handler are back, not SIG_DFL.
    expect(disposed).toEqual({ ...start, step: 'disposed' });
    expect(outcome).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('wakes a main thread blocked in short waits through the interrupt word', async () => {
    const fixture = startFixture('interrupt-word.mjs');
    await fixture.printed('ready');
    fixture.child.kill('SIGINT');
    const outcome = await fixture.outcome;
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('woke count=1 last=2');
    expect(outcome.stdout.indexOf('woke')).toBeLessThan(outcome.stdout.indexOf('handler ran after the wait'));
  });

  it('returns a disposer usable with `using` and idempotent', () => {
    const before = process.listenerCount('SIGWINCH');
    const dispose = onSignal('SIGWINCH', () => {});
    expect(process.listenerCount('SIGWINCH')).toBe(before + 1);
    dispose[Symbol.dispose]();
    dispose();
    expect(process.listenerCount('SIGWINCH')).toBe(before);
  });

  it.each([
    ['an unknown signal', 'SIGNOPE', 'signals'],
    ['SIGKILL', 'SIGKILL', 'signals'],
    ['SIGSTOP by its name', 'process/stop', 'signals'],
    ['an empty list', [], 'signals'],
    ['a number out of range', 4096, 'signals'],
  ])('rejects %s with ERR_X_INVALID_ARG', (_, signals, argument) => {
    expect(() => onSignal(signals as never, () => {})).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument }));
  });

  it('rejects a handler that is not a function', () => {
    expect(() => onSignal('SIGWINCH', null as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'handler' }));
  });
});

describe('ignore()', () => {
  it('keeps a signal from ending the process until disposed', () => {
    const before = process.listenerCount('SIGHUP');
    const restore = ignore('SIGHUP', 'terminal/delta');
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    restore();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
