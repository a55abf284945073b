import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, CommandFailedError, command } from '../src/index.js';
import { fingerprint, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('command()', () => {
  it('runs once when guarded by creates, then is ok', async () => {
    const made = path.join(scratch.dir, 'made');
    const first = await command(`echo built > ${made}`, { creates: made });
    expect(first).toMatchObject({ changed: true, actions: ['ran'], ran: true });
    expect(await command(`echo built > ${made}`, { creates: made })).toEqual({ changed: false, actions: [], ran: false, stdout: '', stderr: '' });
  });

  it('resolves creates from cwd and runs an argv without a shell', async () => {
    fs.writeFileSync(path.join(scratch.dir, 'here'), '');
    expect((await command(['sh', '-c', 'exit 1'], { cwd: scratch.dir, creates: 'here' })).ran).toBe(false);
    const result = await command(['printf', '%s', '$HOME; *'], { cwd: scratch.dir });
    expect(result.stdout).toBe('$HOME; *');
  });

  it('skips when unless succeeds and runs only when onlyIf succeeds', async () => {
    expect((await command('exit 3', { unless: 'true' })).ran).toBe(false);
    expect((await command('exit 3', { onlyIf: ['false'] })).ran).toBe(false);
    expect((await command('echo $X_OPS_TEST', { onlyIf: 'test "$X_OPS_TEST" = yes', env: { X_OPS_TEST: 'yes' } })).stdout).toBe('yes\n');
  });

  it('under check mode runs the guards, not the command', async () => {
    const made = path.join(scratch.dir, 'made');
    const before = fingerprint(scratch.dir);
    expect(await apply(() => command(`touch ${made}`, { unless: `test -e ${made}` }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
    expect(fingerprint(scratch.dir)).toBe(before);
  });

  it('takes a guard that cannot start (a cwd not made yet, under check mode) as failed', async () => {
    const later = path.join(scratch.dir, 'made-later');
    expect(await apply(() => command('make', { cwd: later, unless: 'true' }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
    expect(await apply(() => command('make', { cwd: later, onlyIf: 'true' }), { check: true })).toEqual({ ok: 1, changed: 0, failed: 0 });
  });

  it('fails with the exit status and the tail of the output', async () => {
    const failure = await command('echo starting; echo broken >&2; exit 7').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CommandFailedError);
    expect(failure).toMatchObject({ code: 'ERR_X_OPS_COMMAND_FAILED', exitCode: 7, signal: null, command: 'echo starting; echo broken >&2; exit 7' });
    expect((failure as CommandFailedError).output).toBe('starting\nbroken\n');
    expect((failure as Error).message).toBe('`echo starting; echo broken >&2; exit 7` exited with status 7. Its output ended with:\nstarting\nbroken');
  });

  it('names a program that is not installed', async () => {
    await expect(command(['x-ops-no-such-program'])).rejects.toMatchObject({ code: 'ERR_X_OPS_COMMAND_FAILED', exitCode: null, message: expect.stringMatching(/could not start.*not installed/s) });
  });

  it('keeps only the tail of a large output', async () => {
    const failure = (await command('head -c 100000 /dev/zero | tr "\\0" a; echo END; exit 1').catch((e: unknown) => e)) as CommandFailedError;
    expect(failure.output.length).toBe(4096);
    expect(failure.output.endsWith('aEND\n')).toBe(true);
  });

  it('rejects an empty command and shell: false with a string', async () => {
    await expect(command('  ')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'command' });
    await expect(command([])).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'command' });
    await expect(command('ls', { shell: false })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'command' });
  });
});
