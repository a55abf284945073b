import { spawn as spawnChild, spawnSync } from 'node:child_process';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { native } from './native.js';

useLeakCheck();

function exitOf(pid: number) {
  return new Promise<ReturnType<typeof native.waitpid> | null>((resolve) => native.watchPid(pid, resolve as never));
}

describe('watchPid()', () => {
  it('reports the exit of a process that is not our child, with no status', async () => {
    // `cat` is started in the background by a shell that exits at once: it is our grandchild,
    // reparented away. It ends when we close the pipe it reads.
    const [readEnd, writeEnd] = native.pipe();
    const started = spawnSync('/bin/sh', ['-c', 'cat <&3 >/dev/null 2>&1 & echo $!'], {
      stdio: ['ignore', 'pipe', 'inherit', readEnd],
      encoding: 'utf8',
    });
    native.close(readEnd);
    const pid = Number(started.stdout.trim());
    const exit = exitOf(pid);
    native.close(writeEnd);
    expect(await exit).toBeNull();
  });

  it('reports the exit status of a child spawn() started, and reaps it', async () => {
    const exiter = native.spawn('/bin/sh', ['sh', '-c', 'exit 5']);
    expect(await exitOf(exiter)).toEqual({ code: 5, signal: null, coreDumped: false });
    expect(() => native.waitpid(exiter)).toThrow(expect.objectContaining({ code: 'ECHILD' }));
    const sleeper = native.spawn('/bin/sleep', ['sleep', '30']);
    const exit = exitOf(sleeper);
    process.kill(sleeper, 'SIGKILL');
    expect(await exit).toEqual({ code: null, signal: 9, coreDumped: false });
  });

  it("reports the exit of a child_process child without taking its status from Node", async () => {
    const child = spawnChild('/bin/sh', ['-c', 'exit 3'], { stdio: 'ignore' });
    const watched = exitOf(child.pid!);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(3);
    const status = await watched;
    // Looked at without reaping (WNOWAIT) when the watch came first; null when libuv reaped first.
    if (status !== null) expect(status).toEqual({ code: 3, signal: null, coreDumped: false });
  });

  it('stops without calling back once stop() is called', async () => {
    const pid = native.spawn('/bin/sleep', ['sleep', '30']);
    let called = false;
    const stop = native.watchPid(pid, () => {
      called = true;
    });
    stop();
    stop();
    process.kill(pid, 'SIGKILL');
    expect(native.waitpid(pid)).toMatchObject({ signal: 9 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(called).toBe(false);
  });

  it('throws ESRCH for a pid that does not exist', () => {
    const pid = native.spawn('/bin/true', ['true']);
    native.waitpid(pid);
    expect(() => native.watchPid(pid, () => {})).toThrow(expect.objectContaining({ code: 'ESRCH', syscall: 'pidfd_open' }));
    expect(() => native.watchPid(pid, 'callback' as never)).toThrow(/Expected `callback` to be a function/);
  });
});

describe('pidfdOpen()', () => {
  it('opens an fd that refers to the process', () => {
    const fd = native.pidfdOpen(process.pid);
    expect(native.fdType(fd)).toBe('unknown');
    native.close(fd);
  });
});
