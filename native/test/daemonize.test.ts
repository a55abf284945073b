import { readFileSync, readlinkSync } from 'node:fs';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { runFixture } from './fixture.js';
import { native } from './native.js';

useLeakCheck();

// Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, session, ...].
function stat(pid: number): string[] {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
}

function exited(pid: number): Promise<unknown> {
  return new Promise((resolve) => native.watchPid(pid, resolve));
}

describe('daemonize()', () => {
  it('starts a process in a session of its own that outlives its launcher', async () => {
    const launched = runFixture('daemonize.cjs');
    expect(launched.status).toBe(0);
    const { launcher, daemon } = JSON.parse(launched.stdout) as { launcher: number; daemon: number };
    const [state, ppid, group, session] = stat(daemon);
    expect(state).not.toBe('Z');
    expect(Number(ppid)).not.toBe(launcher);
    expect(Number(session)).not.toBe(Number(stat(process.pid)[3]));
    expect(Number(group)).toBe(Number(session)); // the middle process's session and group
    expect(Number(session)).not.toBe(daemon); // not a session leader: it can never get a terminal
    expect(readlinkSync(`/proc/${daemon}/cwd`)).toBe('/');
    expect(readlinkSync(`/proc/${daemon}/fd/0`)).toBe('/dev/null');
    const gone = exited(daemon);
    process.kill(daemon, 'SIGTERM');
    expect(await gone).toBeNull(); // not our child: no status, but the exit is seen
  });

  it('throws the errno of a failed exec or chdir', () => {
    expect(() => native.daemonize('/nonexistent', ['x'])).toThrow(expect.objectContaining({ code: 'ENOENT', syscall: 'execve', path: '/nonexistent' }));
    expect(() => native.daemonize('/bin/true', ['true'], undefined, { cwd: '/nonexistent' })).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'chdir' }),
    );
  });
});
