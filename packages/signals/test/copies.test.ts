import { useLeakCheck } from '@x/test-env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyPackage, copyPackageWithoutAddon } from './copies.js';
import { runFixture, scratchDir, startFixture } from './run-fixture.js';

useLeakCheck();

let scratch: ReturnType<typeof scratchDir>;
beforeEach(() => {
  scratch = scratchDir();
});
afterEach(() => scratch.cleanup());

describe('two copies of the package in one process', () => {
  it('clean up once and exit once, by the signal', async () => {
    const [a, b] = [copyPackage(), copyPackage()];
    try {
      const fixture = startFixture('two-copies.mjs', [scratch.path, a.url, b.url]);
      await fixture.printed('ready');
      fixture.child.kill('SIGTERM');
      const outcome = await fixture.outcome;
      expect(outcome).toMatchObject({ code: null, signal: 'SIGTERM' });
      expect(outcome.stdout).toContain('exit across copies: true');
      expect(scratch.read('log')).toBe('copy b\ncopy a\n');
    } finally {
      a.remove();
      b.remove();
    }
  });
});

describe('without the native addon', () => {
  it('still cleans up and exits by SIGTERM in pure JS', async () => {
    const copy = copyPackageWithoutAddon();
    try {
      const fixture = startFixture('cleanup.mjs', [scratch.path, 'wait'], { X_SIGNALS_MODULE: copy.url });
      await fixture.printed('ready');
      fixture.child.kill('SIGTERM');
      expect(await fixture.outcome).toMatchObject({ code: null, signal: 'SIGTERM' });
      expect(scratch.read('log')).toBe('second signal=SIGTERM\nfirst signal=SIGTERM\n');
    } finally {
      copy.remove();
    }
  });

  it("exits with 128+n for SIGUSR1 while Node's inspector handler holds it, which only the addon gets past", async () => {
    const copy = copyPackageWithoutAddon();
    try {
      const outcome = await runFixture('exit-by-signal.mjs', ['SIGUSR1', 'no-listener'], { X_SIGNALS_MODULE: copy.url });
      expect(outcome).toMatchObject({ code: 128 + 10, signal: null });
    } finally {
      copy.remove();
    }
  });
});
