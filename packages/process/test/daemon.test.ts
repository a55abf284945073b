import { readFileSync } from 'node:fs';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { daemon, Invocation, ProcessMonitor, SpawnError } from '../src/index.js';
import { collect, readUntil, run } from './helpers.js';

useLeakCheck();

/** ppid, session and controlling terminal of a process, from /proc. */
function stat(pid: number) {
  const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), session: Number(fields[3]), ttyNr: Number(fields[4]) };
}

/** Kills a process that is not our child and waits for it to be gone (a pidfd). */
async function killAndWait(pid: number): Promise<void> {
  const monitor = new ProcessMonitor();
  const gone = new Promise((resolve) => monitor.add(pid, resolve));
  process.kill(pid, 'SIGKILL');
  await gone;
}

describe('daemon()', () => {
  it('returns the pid of a daemon in a session of its own, and its stderr as a channel', async () => {
    const started = daemon(new Invocation('sh', ['-c', 'echo "started in $(pwd)" >&2; exec sleep 100'], { directory: '/tmp' }));
    expect(await readUntil(started.stderr, /\n/)).toBe('started in /tmp\n');
    const mine = stat(process.pid);
    const its = stat(started.pid);
    expect(its.ppid).not.toBe(process.pid); // not our child: never our zombie
    expect(its.session).not.toBe(mine.session);
    expect(its.ttyNr).toBe(0); // no controlling terminal
    await killAndWait(started.pid);
    expect(await collect(started.stderr)).toBe(''); // the channel ends when the daemon does
  });

  it('outlives the process that launched it', async () => {
    const launcher = await run('launch-daemon.mjs');
    expect(launcher).toMatchObject({ code: 0, stderr: '' });
    const pid = Number(launcher.stdout.trim());
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe(['sleep', '100', ''].join('\0'));
    await killAndWait(pid);
  });

  it('throws SpawnError ENOENT for a missing executable', () => {
    expect(() => daemon(new Invocation('/nonexistent/daemon'))).toThrow(SpawnError);
    expect(() => daemon(new Invocation('/nonexistent/daemon'))).toThrow(expect.objectContaining({ code: 'ENOENT', path: '/nonexistent/daemon' }));
  });

  it.each([
    ['no invocation', undefined, undefined],
    ['a plain object for an invocation', { executable: 'sleep', args: [] }, undefined],
    ['null options', new Invocation('sleep', ['1']), null],
    ['an unknown stderr mode', new Invocation('sleep', ['1']), { stderr: 'inherit' }],
  ])('rejects %s with ERR_X_INVALID_ARG before starting anything', (_, invocation, options) => {
    expect(() => daemon(invocation as never, options as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
