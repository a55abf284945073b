import { spawn as spawnChild } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TimeoutError, toPromise, waitpid, withTimeout } from '../src/index.js';
import { useLeakCheck } from '@x/test-env';
import { startFixture } from './fixture.js';
import { run } from './support.js';

useLeakCheck();
const native = createRequire(import.meta.url)('@x/native') as typeof import('@x/native');

describe('waitpid()', () => {
  it('waits for a pid through @x/native and gives the status of its child', async () => {
    const pid = native.spawn('/bin/sh', ['sh', '-c', 'sleep 0.02; exit 3']);
    expect(await toPromise(waitpid(pid))).toEqual({ pid, code: 3, signal: null, statusKnown: true });
  });

  it('stops watching a pid when interrupted', async () => {
    const pid = native.spawn('/bin/sleep', ['sleep', '10']);
    await expect(run(() => withTimeout(5, waitpid(pid)))).rejects.toBeInstanceOf(TimeoutError);
    process.kill(pid, 'SIGKILL');
    expect(native.waitpid(pid)).toMatchObject({ pid, signal: 9 });
  });

  it('waits for a ChildProcess, including one killed by a signal', async () => {
    const ok = spawnChild('/bin/sh', ['-c', 'exit 0']);
    expect(await toPromise(waitpid(ok))).toEqual({ pid: ok.pid, code: 0, signal: null, statusKnown: true });
    const killed = spawnChild('/bin/sleep', ['10']);
    killed.kill('SIGTERM');
    expect(await toPromise(waitpid(killed))).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(await toPromise(waitpid(killed))).toMatchObject({ signal: 'SIGTERM' }); // already exited: at once
  });

  it('waits for anything with an `exited` promise (a @x/process Subprocess)', async () => {
    const child = spawnChild('/bin/sh', ['-c', 'exit 5']);
    const subprocess = {
      pid: child.pid,
      exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      ),
    };
    expect(await toPromise(waitpid(subprocess))).toEqual({ pid: child.pid, code: 5, signal: null, statusKnown: true });
  });

  it('rejects anything else with ERR_X_INVALID_ARG', () => {
    expect(() => waitpid(0)).toThrow(InvalidArgumentError);
    expect(() => waitpid({} as never)).toThrow(/`target`/);
  });

  it('throws NativeUnavailableError, naming the fix, when @x/native cannot be loaded', async () => {
    const end = await startFixture('no-native.mjs').ended;
    const lines = end.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NativeUnavailableError ERR_X_CORO_NATIVE_UNAVAILABLE watchPid: waitpid\(\d+\) needs @x\/native's watchPid\(\).*pnpm --filter @x\/native rebuild.*exited.*\(cause: MODULE_NOT_FOUND\)$/);
    expect(lines[1]).toMatch(/^NativeUnavailableError ERR_X_CORO_NATIVE_UNAVAILABLE watchFd: waitFor\(0\) needs @x\/native's watchFd\(\)/);
  });
});
