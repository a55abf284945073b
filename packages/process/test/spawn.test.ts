import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { NoProcessGroupError, ProcessMonitor, SpawnError, spawn, type StdioOption } from '../src/index.js';
import { collect, readUntil } from './helpers.js';

useLeakCheck();

/** The stdio modes that carry bytes, each with how `cat` answers on it. */
const modes: Array<{ stdio: StdioOption; input: string; expected: string; end: 'eof' | 'ctrl-d' }> = [
  { stdio: 'pipe', input: 'hello\n', expected: 'hello\n', end: 'eof' },
  { stdio: 'socketpair', input: 'hello\n', expected: 'hello\n', end: 'eof' },
  // A terminal echoes what is typed and ends lines with CRLF; Ctrl+D is its end of input.
  { stdio: 'pty', input: 'hello\n', expected: 'hello\r\nhello\r\n', end: 'ctrl-d' },
  { stdio: 'hybrid', input: 'hello\n', expected: 'hello\n', end: 'eof' },
];

describe('spawn()', () => {
  for (const { stdio, input, expected, end } of modes) {
    it(`carries stdin and stdout of a child over stdio '${String(stdio)}'`, async () => {
      const child = spawn('cat', [], { stdio });
      await child.stdin!.send(input);
      if (end === 'eof') await child.stdin!.end();
      else await child.stdin!.send('\x04');
      const [output, result] = await Promise.all([collect(child.stdout), child.exited]);
      expect(output).toBe(expected);
      expect(result).toMatchObject({ code: 0, signal: null });
    });
  }

  it('resolves exited with the exit code, and with the signal that killed the child', async () => {
    const exiting = spawn('sh', ['-c', 'exit 7'], { stdio: 'ignore' });
    const killed = spawn('sh', ['-c', 'kill -USR1 $$'], { stdio: 'ignore' });
    expect(await exiting.exited).toMatchObject({ code: 7, signal: null, pid: exiting.pid });
    expect(await killed.exited).toMatchObject({ code: null, signal: 'SIGUSR1' });
    expect(killed.exitStatus).toMatchObject({ signal: 'SIGUSR1' });
  });

  it('reaps children nobody waits for: none is left a zombie (the leak check after this test)', () => {
    for (let i = 0; i < 20; i++) spawn('true', [], { stdio: 'ignore' });
  });

  it('throws SpawnError ENOENT with the path for a missing executable, leaving no child', () => {
    const error = (() => {
      try {
        spawn('/nonexistent/program', ['x']);
      } catch (caught) {
        return caught as SpawnError;
      }
    })();
    expect(error).toBeInstanceOf(SpawnError);
    expect(error).toMatchObject({ code: 'ENOENT', syscall: 'execve', path: '/nonexistent/program', file: '/nonexistent/program' });
    expect(error?.message).toContain('/nonexistent/program');
  });

  it('throws SpawnError ENOENT for a name found nowhere in PATH', () => {
    expect(() => spawn('no-such-program-x', [], { env: { PATH: '/usr/bin:/bin' } })).toThrow(
      expect.objectContaining({ name: 'SpawnError', code: 'ENOENT', path: 'no-such-program-x' }),
    );
  });

  it('throws SpawnError EACCES for a file that is not executable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-process-'));
    try {
      writeFileSync(join(dir, 'script'), '#!/bin/sh\n');
      expect(() => spawn(join(dir, 'script'))).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'execve' }));
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('throws SpawnError ENOENT (syscall chdir) for a missing working directory', () => {
    expect(() => spawn('true', [], { cwd: '/nonexistent/dir' })).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'chdir', path: '/nonexistent/dir' }),
    );
  });

  it('gives the child exactly the environment, working directory and argv[0] asked for', async () => {
    const child = spawn('/bin/sh', ['-c', 'echo "$GREETING $(pwd) $0"; env | wc -l'], {
      env: { GREETING: 'hi', UNSET: undefined },
      cwd: '/tmp',
      argv0: 'my-shell',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const output = await collect(child.stdout);
    await child.exited;
    const [first, count] = output.trim().split('\n');
    expect(first).toBe('hi /tmp my-shell');
    expect(Number(count)).toBeLessThanOrEqual(3); // GREETING plus what sh itself sets (PWD, SHLVL)
  });

  it("passes an fd of this process as a child fd, and 'ignore' as /dev/null", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-process-'));
    const file = openSync(join(dir, 'out'), 'w');
    try {
      const child = spawn('sh', ['-c', 'echo to-the-file; cat; echo more >&2'], { stdio: ['ignore', file, 'pipe'] });
      expect(await collect(child.stderr)).toBe('more\n');
      expect(await child.exited).toMatchObject({ code: 0 });
      expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('to-the-file\n');
    } finally {
      closeSync(file);
      rmSync(dir, { recursive: true });
    }
  });

  it('gives fds past 2 to the child, both ways on a socketpair', async () => {
    const child = spawn('sh', ['-c', 'read line <&3; echo "got $line" >&3'], { stdio: ['ignore', 'ignore', 'inherit', 'socketpair'] });
    await child.stdio.output(3)!.send('ping\n');
    expect(await readUntil(child.stdio.input(3), /\n/)).toBe('got ping\n');
    await child.exited;
  });

  it('gives Node streams on request', async () => {
    const child = spawn('tr', ['a-z', 'A-Z']);
    child.writable().end('shout');
    let text = '';
    for await (const chunk of child.readable()) text += chunk;
    expect(text).toBe('SHOUT');
    await child.exited;
  });

  it('rejects bad arguments with ERR_X_INVALID_ARG naming them', () => {
    expect(() => spawn('true', [], { stdio: ['pipe', 'bogus' as never] })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'options.stdio[1]' }));
    expect(() => spawn('true', [], { timeout: -1 })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'options.timeout' }));
    expect(() => spawn('true', [], { killSignal: 'SIGNOPE' as never })).toThrow(expect.objectContaining({ argument: 'options.killSignal' }));
    expect(() => spawn('true', [1 as never])).toThrow(expect.objectContaining({ argument: 'args' }));
    expect(() => spawn('')).toThrow(expect.objectContaining({ argument: 'file' }));
  });
});

describe('Subprocess.kill() and killGroup()', () => {
  it('kills the child with SIGTERM by default, and sends nothing once it is reaped', async () => {
    const child = spawn('sleep', ['100'], { stdio: 'ignore' });
    expect(child.kill()).toBe(true);
    expect(await child.exited).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(child.kill('SIGKILL')).toBe(false);
  });

  it('reaches grandchildren with killGroup', async () => {
    const child = spawn('sh', ['-c', 'sleep 100 & echo $!; sleep 100 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = (await readUntil(child.stdout, /\d+\n\d+\n/)).trim().split('\n').map(Number);
    const monitor = new ProcessMonitor();
    const grandchildrenGone = Promise.all(pids.map((pid) => new Promise((resolve) => monitor.add(pid, resolve))));
    expect(child.killGroup('SIGTERM')).toBe(true);
    expect(await child.exited).toMatchObject({ signal: 'SIGTERM' });
    await grandchildrenGone; // pidfds of processes that are not ours: they did end
    expect(await collect(child.stdout)).toBe('');
  });

  it('refuses killGroup for a child in this process group', async () => {
    const child = spawn('true', [], { pgid: null, stdio: 'ignore' });
    expect(child.pgid).toBeNull();
    expect(() => child.killGroup()).toThrow(NoProcessGroupError);
    await child.exited;
  });
});

describe('termination options', () => {
  it('sends killSignal when the timeout runs out', async () => {
    const child = spawn('sleep', ['100'], { stdio: 'ignore', timeout: 50, killSignal: 'SIGINT' });
    expect(await child.exited).toMatchObject({ signal: 'SIGINT', timedOut: true, aborted: false, forceKilled: false });
  });

  it('sends killSignal when the AbortSignal aborts, or at once when it already has', async () => {
    const controller = new AbortController();
    const child = spawn('sleep', ['100'], { stdio: 'ignore', signal: controller.signal });
    controller.abort();
    expect(await child.exited).toMatchObject({ signal: 'SIGTERM', aborted: true });
    const late = spawn('sleep', ['100'], { stdio: 'ignore', signal: AbortSignal.abort() });
    expect(await late.exited).toMatchObject({ signal: 'SIGTERM', aborted: true });
  });

  it('escalates to SIGKILL after forceKillAfterMs when the child ignores the timeout\'s signal', async () => {
    // SIGURG's default action is to ignore it, so the child ignores it from its first instruction. A
    // shell's `trap "" TERM` would race the 10 ms timeout: under load SIGTERM often came first.
    const child = spawn('sleep', ['100'], { stdio: 'ignore', timeout: 10, killSignal: 'SIGURG', forceKillAfterMs: 100 });
    expect(await child.exited).toMatchObject({ signal: 'SIGKILL', timedOut: true, forceKilled: true });
  });

  it('escalates a kill() to SIGKILL too', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM; echo ready; exec sleep 100'], { stdio: ['ignore', 'pipe', 'inherit'], forceKillAfterMs: 50 });
    await readUntil(child.stdout, /ready/);
    child.kill();
    expect(await child.exited).toMatchObject({ signal: 'SIGKILL', forceKilled: true });
  });
});
