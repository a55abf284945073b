// `x exec` against local contexts through the real binary: streamed, prefixed lines with stdout and
// stderr kept apart, exit statuses, --json, and Ctrl+C leaving no process behind.
import { createHash } from 'node:crypto';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { expectNoneLeft, jsonLines, processesOf, startX, until, x } from './helpers.js';

useLeakCheck();

describe('x exec', () => {
  it('prefixes each line with the target name, stdout to stdout and stderr to stderr, a last line without newline included', async () => {
    const result = await x(['exec', '--on', 'local*2', '--', 'sh', '-c', 'echo one; echo two; echo oops >&2; printf tail']);
    expect(result.code).toBe(0);
    for (const name of ['local-1', 'local-2']) {
      const out = result.stdout.split('\n').filter((line) => line.startsWith(`${name} |`));
      expect(out).toEqual([`${name} | one`, `${name} | two`, `${name} | tail`]);
      expect(result.stderr).toContain(`${name} | oops\n`);
      expect(result.stderr).toMatch(new RegExp(`\\n${name} +ok +\\S+ \\S+ +exit 0\\n`));
    }
    expect(result.stdout).not.toContain('oops');
    expect(result.stdout + result.stderr).not.toContain('\x1b');
  });

  it('passes the command its arguments untouched, options after the command included', async () => {
    const result = await x(['exec', '--on', 'local', '--quiet', 'printf', '%s|', 'a b', '--json', '-n']);
    expect(result).toMatchObject({ code: 0, stdout: 'local | a b|--json|-n|\n', stderr: '' });
  });

  it('fails a target whose command exits with a status other than 0, reports the status and exits 1', async () => {
    const result = await x(['exec', '--on', 'local', '--', 'sh', '-c', 'exit 3']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^local \| failed: CommandFailedError ERR_X_COMMAND_FAILED: the command exited with status 3$/m);
    expect(result.stderr).toMatch(/\n0 of 1 target succeeded in .*; not ok: local\n$/);
  });

  it('--json carries each target’s exit status and output in its object', async () => {
    const result = await x(['exec', '--on', 'local*2', '--json', '--', 'sh', '-c', 'echo out; echo err >&2; exit ${CODE:-0}']);
    expect(result.code).toBe(0);
    for (const object of jsonLines(result.stdout)) {
      expect(object).toMatchObject({ ok: true, result: { exitCode: 0, signal: null, stdout: 'out\n', stderr: 'err\n' } });
    }
    const failed = await x(['exec', '--on', 'local', '--json', '--', 'sh', '-c', 'echo partial; kill -TERM $$']);
    expect(jsonLines(failed.stdout)[0]).toMatchObject({ ok: false, error: { code: 'ERR_X_COMMAND_FAILED', exitCode: null, signal: 'SIGTERM', stdout: 'partial\n' } });
  });

  it('--timeout fails a command that runs longer and takes it down with its context', async () => {
    // x() checks that no process of the run is left: the sleeps included.
    const result = await x(['exec', '--on', 'local*2', '--timeout', '3000', '--json', '--', 'sh', '-c', 'sleep 600']);
    expect(result.code).toBe(1);
    for (const object of jsonLines(result.stdout)) expect(object).toMatchObject({ ok: false, error: { code: 'ERR_X_TARGET_TIMEOUT' } });
  });

  it('--stdin gives x’s whole stdin to the command on every target', async () => {
    const input = `${'line of input\n'.repeat(50_000)}last, without newline`;
    const result = await x(['exec', '--on', 'local*2', '--stdin', '--json', '--', 'sha256sum'], { input });
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(2);
    for (const object of lines) {
      expect(object).toMatchObject({ ok: true, result: { exitCode: 0, stdout: `${createHash('sha256').update(input).digest('hex')}  -\n` } });
    }
    // Without --stdin, the command reads /dev/null, whatever x's stdin holds.
    const closed = await x(['exec', '--on', 'local', '--quiet', '--', 'wc', '-c'], { input: 'not for the command' });
    expect(closed.stdout).toBe('local | 0\n');
  });

  it('--env sets variables (repeatable) and --cwd the working directory, on every target', async () => {
    const result = await x(['exec', '--on', 'local*2', '--quiet', '--env', 'A=1', '--env', 'B=two words=3', '--cwd', '/tmp', '--', 'sh', '-c', 'echo "$A|$B|$(pwd)"']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(['local-1 | 1|two words=3|/tmp', 'local-2 | 1|two words=3|/tmp']);
    const missing = await x(['exec', '--on', 'local', '--cwd', '/nonexistent-x-dir', '--', 'true']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("the working directory '/nonexistent-x-dir' is not a directory on this target");
  });

  it('--tty runs the command on a terminal of x’s size (80x24 when x has none), with its exit status', async () => {
    const result = await x(['exec', '--on', 'local', '--tty', '--json', '--', 'sh', '-c', 'test -t 0 && test -t 1 && stty size; echo "$TERM"; exit 4'], { env: { TERM: 'xterm-x' } });
    expect(result.code).toBe(1);
    const [object] = jsonLines(result.stdout);
    expect(object).toMatchObject({ ok: false, error: { code: 'ERR_X_COMMAND_FAILED', stdout: '24 80\r\nxterm-x\r\n' } });
  });

  it.each([
    [['--env', 'NOEQUALS'], /--env takes NAME=VALUE/],
    [['--env', '=x'], /--env takes NAME=VALUE/],
    [['--cwd', 'relative'], /--cwd takes an absolute path on the targets/],
  ])('x exec %j is a usage error (exit 2)', async (args, message) => {
    const result = await x(['exec', '--on', 'local', ...args, '--', 'true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('a command that does not exist fails its target with ENOENT', async () => {
    const result = await x(['exec', '--on', 'local', '--json', '--', 'no-such-command-here']);
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ ok: false, error: { code: 'ENOENT' } });
  });

  it('Ctrl+C cancels every target, leaves no process behind, and x dies by SIGINT', async () => {
    const run = startX(['exec', '--on', 'local*3', '--', 'sh', '-c', 'sleep 600; echo never']);
    // Every target's command is running: three sleeps carry the run's marker.
    await until(() => processesOf(run.marker).filter((p) => p.command.startsWith('sleep 600')).length === 3);
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(result.signal).toBe('SIGINT');
    expect(result.stdout).not.toContain('never');
    expect(result.stderr).toMatch(/x: SIGINT: cancelling 3 running targets and shutting their contexts down\n/);
    await expectNoneLeft(run.marker);
  });

  it('a second Ctrl+C during the shutdown ends x at once by SIGINT, and still nothing is left behind', async () => {
    const run = startX(['exec', '--on', 'local*3', '--', 'sleep', '600']);
    await until(() => processesOf(run.marker).filter((p) => p.command.startsWith('sleep 600')).length === 3);
    run.child.kill('SIGINT');
    // The first one's cleanup has begun: x says what it cancels.
    await until(() => run.stderr().includes('x: SIGINT: cancelling'));
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(result.signal).toBe('SIGINT');
    // The contexts see their parent gone and take their commands down with them.
    await expectNoneLeft(run.marker);
  });
});
