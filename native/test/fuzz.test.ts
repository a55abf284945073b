import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { runFixture } from './fixture.js';
import { native } from './native.js';

useLeakCheck();

interface Summary {
  functions: string[];
  callsPerFunction: Record<string, number>;
  codes: Record<string, number>;
  failures: { call: string; thrown: string }[];
}

describe('every exported function, fed wrong values (fixtures/fuzz.cjs)', () => {
  it('throws only errors with a code, and never crashes the process', () => {
    // In a process of its own: a crash shows as a signal, and what the calls change (fds closed,
    // watches started) stays there.
    const result = runFixture('fuzz.cjs', [], { timeout: 120_000 });
    expect(result.stderr).toBe('');
    expect({ status: result.status, signal: result.signal }).toEqual({ status: 0, signal: null });
    const summary = JSON.parse(result.stdout) as Summary;
    expect(summary.failures).toEqual([]);

    const exported = Object.keys(native).filter((name) => typeof (native as Record<string, unknown>)[name] === 'function');
    expect(summary.functions).toEqual(exported.sort());
    for (const name of summary.functions) expect(summary.callsPerFunction[name], name).toBeGreaterThan(0);
    // The sweep got past argument checking to the system calls, not only to ERR_X_INVALID_ARG.
    expect(Object.keys(summary.codes)).toEqual(expect.arrayContaining(['ERR_X_INVALID_ARG', 'EBADF', 'ENOENT', 'EINVAL', 'ECHILD']));
  });
});
