import { readFileSync, readSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { native } from './native.js';

useLeakCheck();

type Start = typeof native.spawn;

// Runs a program with its stdout on a pipe and returns what it printed and its status.
function run(start: Start, path: string, argv: string[], env?: Record<string, string>, options: { cwd?: string; setsid?: boolean; pgid?: number } = {}) {
  const [readEnd, writeEnd] = native.pipe();
  const pid = start(path, argv, env, { fdmap: [null, writeEnd, 2], ...options });
  native.close(writeEnd);
  let output = '';
  const buffer = Buffer.alloc(4096);
  for (let got = readSync(readEnd, buffer); got > 0; got = readSync(readEnd, buffer)) output += buffer.subarray(0, got).toString();
  native.close(readEnd);
  return { pid, output, status: native.waitpid(pid) };
}

// vspawn (clone with CLONE_VM | CLONE_VFORK) sets the child up exactly as spawn does, so it passes the same suite.
describe.each(['spawn', 'vspawn'] as const)('%s()', (name) => {
  const start: Start = (...args) => native[name](...args);

  it('runs a program with the given argv, environment and working directory', () => {
    const cwd = realpathSync(tmpdir());
    const { output, status } = run(start, '/bin/sh', ['sh', '-c', 'echo "$0 $1 $GREETING"; pwd', 'one'], { GREETING: 'hi', UNSET: undefined } as never, { cwd });
    expect(output).toBe(`one  hi\n${cwd}\n`);
    expect(status).toMatchObject({ code: 0, signal: null, coreDumped: false, stopped: false, continued: false });
  });

  it("passes this process's environment when env is undefined", () => {
    process.env.X_NATIVE_SPAWN_TEST = 'inherited';
    try {
      expect(run(start, '/bin/sh', ['sh', '-c', 'echo $X_NATIVE_SPAWN_TEST']).output).toBe('inherited\n');
    } finally {
      delete process.env.X_NATIVE_SPAWN_TEST;
    }
  });

  it('maps fds by fdmap, /dev/null for null, and lets no other fd cross exec', () => {
    const [extraRead, extraWrite] = native.pipe();
    native.setCloexec(extraWrite, false);
    const { output } = run(start, '/bin/sh', ['sh', '-c', `ls /proc/self/fd; readlink /proc/self/fd/0`]);
    native.setCloexec(extraWrite, true);
    native.close(extraRead);
    native.close(extraWrite);
    // ls itself opens one fd for the directory it lists.
    const fds = output.trim().split('\n');
    expect(fds.slice(0, -1).map(Number).filter((fd) => fd > 3)).toEqual([]);
    expect(fds.at(-1)).toBe('/dev/null');
  });

  it('starts the child with default signal dispositions and an empty mask', () => {
    native.setDisposition(13, 'ignore'); // Node ignores SIGPIPE already; the child must not inherit that
    const { output } = run(start, '/bin/sh', ['sh', '-c', 'grep -E "^Sig(Blk|Ign)" /proc/self/status']);
    expect(output).toMatch(/SigBlk:\s+0+\n/);
    expect(output).toMatch(/SigIgn:\s+0+\n/);
  });

  it('starts a new session with setsid, or a process group of its own with pgid 0', () => {
    const field = (pid: number, index: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[index]);
    const session = run(start, '/bin/sh', ['sh', '-c', 'cut -d" " -f5,6 /proc/$$/stat'], undefined, { setsid: true });
    expect(session.output.trim()).toBe(`${session.pid} ${session.pid}`);
    const group = run(start, '/bin/sh', ['sh', '-c', 'cut -d" " -f5,6 /proc/$$/stat'], undefined, { pgid: 0 });
    expect(group.output.trim()).toBe(`${group.pid} ${field(process.pid, 3)}`);
  });

  it('throws the errno of a failed exec, with the path, instead of starting a child that exits with 127', () => {
    expect(() => start('/nonexistent/program', ['program'])).toThrow(
      expect.objectContaining({ code: 'ENOENT', errno: -2, syscall: 'execve', path: '/nonexistent/program' }),
    );
    expect(() => start('/etc/passwd', ['passwd'])).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'execve' }));
  });

  it('throws the errno of a failed step before exec: chdir, dup2 of a bad fd, TIOCSCTTY', () => {
    expect(() => start('/bin/true', ['true'], undefined, { cwd: '/nonexistent' })).toThrow(
      expect.objectContaining({ code: 'ENOENT', syscall: 'chdir', path: '/nonexistent' }),
    );
    const [readEnd, writeEnd] = native.pipe();
    native.close(readEnd);
    native.close(writeEnd);
    expect(() => start('/bin/true', ['true'], undefined, { fdmap: [readEnd] })).toThrow(
      expect.objectContaining({ code: 'EBADF', syscall: 'dup2' }),
    );
    expect(() => start('/bin/true', ['true'], undefined, { fdmap: [null], setsid: true, controllingTty: 0 })).toThrow(
      expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl' }),
    );
  });

  it('rejects bad arguments with ERR_X_INVALID_ARG naming them', () => {
    expect(() => start('', ['x'])).toThrow(/Expected `path` to be a non-empty path/);
    expect(() => start('/bin/true', [])).toThrow(/Expected `argv` to be a non-empty array/);
    expect(() => start('/bin/true', ['true', 1 as never])).toThrow(/Expected `argv\[1\]` to be a string/);
    expect(() => start('/bin/true', ['true'], { A: 1 as never })).toThrow(/Expected `env.A` to be a string/);
    expect(() => start('/bin/true', ['true'], undefined, { fdmap: [-2] as never })).toThrow(/Expected `options.fdmap\[0\]`/);
    expect(() => start('/bin/true', ['true'], undefined, { controllingTty: 0 })).toThrow(
      /Expected `options.setsid` to be true when options.controllingTty is set/,
    );
    expect(() => start('/bin/true', ['true'], undefined, { fdmap: [0], setsid: true, controllingTty: 1 })).toThrow(
      /Expected `options.controllingTty` to be an integer from 0 to 0/,
    );
  });
});

describe('waitpid()', () => {
  it('reports an exit code, a signal, and null with WNOHANG while the child runs', () => {
    const sleeper = native.spawn('/bin/sleep', ['sleep', '30']);
    expect(native.waitpid(sleeper, native.constants.WNOHANG)).toBeNull();
    process.kill(sleeper, 'SIGTERM');
    expect(native.waitpid(sleeper)).toEqual({ pid: sleeper, code: null, signal: 15, coreDumped: false, stopped: false, continued: false });
    const exiter = native.spawn('/bin/sh', ['sh', '-c', 'exit 7']);
    expect(native.waitpid(exiter)).toMatchObject({ pid: exiter, code: 7, signal: null });
  });

  it('reports stopped and continued children with WUNTRACED and WCONTINUED', () => {
    const pid = native.spawn('/bin/sleep', ['sleep', '30']);
    process.kill(pid, 'SIGSTOP');
    expect(native.waitpid(pid, native.constants.WUNTRACED)).toMatchObject({ stopped: true, signal: 19 });
    process.kill(pid, 'SIGCONT');
    expect(native.waitpid(pid, native.constants.WCONTINUED)).toMatchObject({ continued: true });
    process.kill(pid, 'SIGKILL');
    expect(native.waitpid(pid)).toMatchObject({ signal: 9 });
  });

  it('throws ECHILD for a pid it did not spawn or already reaped, without waiting for it', () => {
    const pid = native.spawn('/bin/true', ['true']);
    native.waitpid(pid);
    expect(() => native.waitpid(pid)).toThrow(expect.objectContaining({ code: 'ECHILD', syscall: 'waitpid' }));
    expect(() => native.waitpid(process.pid)).toThrow(expect.objectContaining({ code: 'ECHILD' }));
  });

  it('never waits for any child: pid -1 and 0 are rejected', () => {
    expect(() => native.waitpid(-1)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    expect(() => native.waitpid(0)).toThrow(/Expected `pid` to be an integer from 1/);
    expect(() => native.waitpid(1, 1 << 20)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});

describe('vspawn() children', () => {
  it('are waited for and watched like those of spawn', async () => {
    const pid = native.vspawn('/bin/sh', ['sh', '-c', 'exit 3']);
    const status = await new Promise((resolve) => native.watchPid(pid, resolve));
    expect(status).toMatchObject({ code: 3, signal: null });
    expect(() => native.waitpid(pid)).toThrow(expect.objectContaining({ code: 'ECHILD' }));
  });
});
