import { spawnSync } from 'node:child_process';
import { useLeakCheck } from '@x/test-env';
import { skipPrivileged } from '@x/test-env/sshd';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixture.js';

useLeakCheck();

// RLIMIT_NPROC binds only an unprivileged user, and only root can become one (setpriv).
const root = process.getuid?.() === 0;
const setpriv = spawnSync('setpriv', ['--version']).status === 0;
const missing = !root ? 'not root' : !setpriv ? 'no setpriv (util-linux)' : undefined;
const skipped = missing !== undefined && skipPrivileged('coarseClock() without threads', missing);

describe.skipIf(skipped)('coarseClock() when no thread can be created', () => {
  it('throws EAGAIN from pthread_create, as wakeCoarseClock() does, and leaves the word not ticking', () => {
    const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, fixture('clock-no-thread.cjs')], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect({ status: result.status, signal: result.signal }).toEqual({ status: 0, signal: null });
    const failed = { code: 'EAGAIN', errno: -11, syscall: 'pthread_create' };
    expect(JSON.parse(result.stdout)).toEqual({
      register: { ...failed, message: 'EAGAIN: resource temporarily unavailable, pthread_create' },
      wake: expect.objectContaining(failed),
      ticking: 0,
    });
  });
});
