import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { runFixture } from './fixture.js';

useLeakCheck();

// Each step is one of: capture (captureDisposition), install (installInterruptWord),
// restore (restoreDisposition), uninstall (uninstallInterruptWord).
function run(order: string, signal: string, listener = 'none') {
  const result = runFixture('disposition-order.cjs', [order, signal, listener]);
  expect(result.stderr).toBe('');
  expect(result.signal).toBe(null);
  return JSON.parse(result.stdout);
}

const orders = [
  'capture,install,uninstall,restore',
  'capture,install,restore,uninstall',
  'install,capture,uninstall,restore',
  'install,capture,restore,uninstall',
];

describe('captureDisposition()/restoreDisposition() with the interrupt word installed', () => {
  it.each(orders)("ends with Node's own SIGPIPE (ignored) after %s, and nothing counts any more", (order) => {
    expect(run(order, 'SIGPIPE')).toMatchObject({ before: 'ignored', after: 'ignored', countedAfter: 0 });
  });

  it.each(orders)('ends with the default SIGUSR2 after %s', (order) => {
    expect(run(order, 'SIGUSR2')).toMatchObject({ before: 'default', after: 'default' });
  });

  it.each(orders)("ends with libuv's handler for a JS listener after %s: the listener hears, nothing counts", (order) => {
    expect(run(order, 'SIGUSR2', 'listener')).toMatchObject({ before: 'caught', after: 'caught', countedAfter: 0, heard: 1 });
  });

  it('keeps counting when a capture is restored while the interrupt word is installed: the action goes beneath it', () => {
    const report = run('capture,install,restore', 'SIGPIPE');
    expect(report).toMatchObject({ before: 'ignored', middle: ['ignored', 'caught', 'caught'], countedAfter: 1 });
  });
});
