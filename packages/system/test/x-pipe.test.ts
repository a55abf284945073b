// x into a pipe whose reader stops: it goes away after the first line (`x ... | head -1`), or never
// reads at all. x must end by itself, promptly and quietly, leaving no process behind. A hang fails
// by the test's timeout; nothing here times x.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoneLeft, fixtures, startX } from './helpers.js';
import { closeAfterFirstLine, turn, turnCommand } from './pipe-helpers.js';

useLeakCheck();

const scratch = mkdtempSync(join(tmpdir(), 'x-pipe-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Generous for a loaded machine: a hang fails, a slow run does not. */
const timeout = 120_000;

describe('x with a reader that goes away (x ... | head -1)', () => {
  it('exec --json: the next line ends x by SIGPIPE, quietly; the targets still running are cancelled and their contexts shut down', { timeout }, async () => {
    const run = turn(scratch, 6);
    const result = await closeAfterFirstLine(['exec', '--on', 'local*6', '--json', '--', ...turnCommand(run.dir)], { after: run.closed });
    expect(JSON.parse(result.first)).toMatchObject({ ok: true, result: { stdout: 'first\n' } });
    expect(result).toMatchObject({ code: null, signal: 'SIGPIPE', stderr: '' });
    await run.expectLateGone();
  });

  it('run --json: the same, for a function', { timeout }, async () => {
    const run = turn(scratch, 6);
    const result = await closeAfterFirstLine(['run', '--on', 'local*6', '--json', `${fixtures}pipe-tasks.ts#turn`, run.dir], { after: run.closed });
    expect(JSON.parse(result.first)).toMatchObject({ ok: true, result: 'first' });
    expect(result).toMatchObject({ code: null, signal: 'SIGPIPE', stderr: '' });
    await run.expectLateGone();
  });

  it('ping --json on local*20: ends quietly, by SIGPIPE or (when every line was out before the reader left) with 0', { timeout }, async () => {
    const result = await closeAfterFirstLine(['ping', '--on', 'local*20', '--json']);
    expect(JSON.parse(result.first)).toMatchObject({ ok: true });
    expect(result.stderr).toBe('');
    expect(result.signal === 'SIGPIPE' || result.code === 0).toBe(true);
  });

  it('inventory --list of 3000 hosts (more than a pipe holds): ends quietly', { timeout }, async () => {
    const inventory = join(scratch, 'hosts.ini');
    writeFileSync(inventory, '[web]\nweb[0001:3000].example.com ansible_user=deploy\n');
    const result = await closeAfterFirstLine(['inventory', '--inventory', inventory, '--list']);
    expect(result.first).toBe('{\n');
    expect(result.stderr).toBe('');
    // The whole listing is written before x returns 0; the failed write comes while x is ending.
    expect(result.signal === 'SIGPIPE' || result.code === 0).toBe(true);
  });

  it('a long human-readable exec: the output still streaming ends x by SIGPIPE, without the "cancelling" line, and the command still running is killed', { timeout }, async () => {
    const result = await closeAfterFirstLine(['exec', '--on', 'local*3', '--parallel', '1', '--', 'sh', '-c', 'seq 1 200000; exec sleep 600']);
    expect(result.first).toMatch(/^local-\d \| 1\n$/);
    expect(result).toMatchObject({ code: null, signal: 'SIGPIPE', stderr: '' });
  });

  it('a closed stderr (x ... 2>&1 >/dev/null | head -1) ends x the same way', { timeout }, async () => {
    const result = await closeAfterFirstLine(['exec', '--on', 'local*3', '--parallel', '1', '--', 'sh', '-c', 'seq 1 200000 >&2; exec sleep 600'], { stream: 'stderr' });
    expect(result.first).toMatch(/^local-\d \| 1\n$/);
    expect(result).toMatchObject({ code: null, signal: 'SIGPIPE', stdout: '' });
  });
});

describe('x with a reader that never reads', () => {
  it('ends once the work is done: after waiting a bounded time for the reader, it says so and exits with the status of the run', { timeout }, async () => {
    const run = startX(['exec', '--on', 'local*2', '--', 'sh', '-c', 'seq 1 200000']);
    run.child.stdout!.pause();
    const result = await run.result;
    await expectNoneLeft(run.marker);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('2 of 2 targets succeeded');
    expect(result.stderr).toContain('the reader of stdout took nothing for 10 s: ending without the rest of the output\n');
    expect(result.stderr).not.toMatch(/EPIPE|^\s+at /m);
  });

  it('waits as long as a slow reader keeps reading, however long that takes in all: every line arrives', { timeout }, async () => {
    // About 1.3 MB read at 100 KiB/s: longer than the 10 s a reader may take nothing.
    const run = startX(['exec', '--on', 'local', '--', 'sh', '-c', 'seq 1 100000']);
    const stdout = run.child.stdout!;
    stdout.on('data', (chunk: string) => {
      stdout.pause();
      setTimeout(() => stdout.resume(), (chunk.length / 102_400) * 1000);
    });
    const result = await run.result;
    await expectNoneLeft(run.marker);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(100_000);
    expect(lines.at(-1)).toBe('local | 100000');
    expect(result.stderr).not.toContain('took nothing');
  });
});
