import { spawn as spawnNode } from 'node:child_process';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { MonitorClosedError, ProcessMonitor, spawn } from '../src/index.js';

useLeakCheck();

describe('ProcessMonitor', () => {
  it('reports the exit status of a child of spawn, which stays reaped by its Subprocess', async () => {
    const monitor = new ProcessMonitor();
    const child = spawn('sh', ['-c', 'exit 5'], { stdio: 'ignore' });
    const status = await new Promise((resolve) => monitor.add(child.pid, resolve));
    expect(status).toEqual({ code: 5, signal: null });
    expect(await child.exited).toMatchObject({ code: 5 });
    expect(monitor.size).toBe(0);
  });

  it("reports the exit of a process that is not this package's child", async () => {
    const monitor = new ProcessMonitor();
    const other = spawnNode('sleep', ['100'], { stdio: 'ignore' });
    const nodeExit = new Promise((resolve) => other.once('exit', (code, signal) => resolve({ code, signal })));
    const status = new Promise((resolve) => monitor.add(other.pid!, resolve));
    other.kill('SIGTERM');
    // child_process's own status is not taken from it: its 'exit' still fires.
    expect(await nodeExit).toEqual({ code: null, signal: 'SIGTERM' });
    const seen = await status;
    expect(seen === null || (seen as { signal: string }).signal === 'SIGTERM').toBe(true);
  });

  it('stops watching on stop() and close(), and refuses add() once closed', async () => {
    const monitor = new ProcessMonitor();
    const child = spawn('sleep', ['100'], { stdio: 'ignore' });
    let called = 0;
    const stop = monitor.add(child.pid, () => called++);
    monitor.add(child.pid, () => called++);
    expect(monitor.size).toBe(1);
    stop();
    monitor.close();
    expect(monitor.size).toBe(0);
    expect(() => monitor.add(child.pid, () => {})).toThrow(MonitorClosedError);
    child.kill();
    await child.exited;
    await new Promise((resolve) => setImmediate(resolve));
    expect(called).toBe(0);
  });

  it('throws ESRCH for a process that does not exist, and ERR_X_INVALID_ARG for a bad pid', () => {
    const monitor = new ProcessMonitor();
    expect(() => monitor.add(2 ** 22 + 12345, () => {})).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(() => monitor.add(0, () => {})).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
