// Run control of the x command, through the real binary: --retries (connection failures only, with
// the count in the summary and in --json), --batch (rolling batches, bounded by --parallel) and
// --max-fail-percent (no target starts once too many of a batch failed).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, describe, expect, it } from 'vitest';
import { expectNoneLeft, fixtures, jsonLines, startX, until, x } from './helpers.js';

useLeakCheck();

const control = `${fixtures}control.ts`;
const scratch = mkdtempSync(join(tmpdir(), 'x-run-control-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Port 1 on loopback refuses every connection: a connection failure that happens every time.
const refused = 'nobody@127.0.0.1:1';

describe('x --retries', () => {
  it('connects a target whose connection failed N more times: attempts N + 1 in --json', async () => {
    const result = await x(['ping', '--on', refused, '--retries', '2', '--json']);
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ target: refused, ok: false, attempts: 3 })]);
  });

  it('says each retry as it comes, and counts them in the summary per target and in total', async () => {
    const result = await x(['ping', '--on', `${refused},local`, '--retries', '2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${refused} \\| connection failed, retry 1 of 2 in \\d+ ms: \\w+ ERR_X_REMOTE_[A-Z_]+: ssh: connect to host 127\\.0\\.0\\.1 port 1: Connection refused$`, 'm'));
    expect(result.stderr).toMatch(new RegExp(`^${refused} \\| connection failed, retry 2 of 2 in `, 'm'));
    expect(result.stderr).not.toMatch(/retry 3/);
    expect(result.stderr).toMatch(/^TARGET +STATUS +RETRIES +TIME +RESULT$/m);
    expect(result.stderr).toMatch(new RegExp(`^${refused} +failed +2 +`, 'm'));
    expect(result.stderr).toMatch(/^local +ok +0 +/m);
    expect(result.stderr).toMatch(/\n1 of 2 targets succeeded in .* after 2 connection retries; not ok: nobody@127\.0\.0\.1:1\n$/);
  });

  it('does not retry a refused connection without --retries (only a transient refusal is), nor with --retries 0', async () => {
    for (const extra of [[], ['--retries', '0']]) {
      const result = await x(['ping', '--on', refused, '--json', ...extra]);
      expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ ok: false, attempts: 1 })]);
    }
    const plain = await x(['ping', '--on', refused]);
    expect(plain.stderr).not.toContain('retry');
    expect(plain.stderr).toMatch(/^TARGET +STATUS +TIME +RESULT$/m);
  });

  it('never retries a function that failed once connected', async () => {
    const result = await x(['run', '--on', 'local', '--retries', '3', '--json', `${control}#failOn`, join(scratch, 'never-retried'), '1']);
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toEqual([expect.objectContaining({ ok: false, attempts: 1, error: expect.objectContaining({ code: 'E_ON_PURPOSE' }) })]);
  });

  it('--timeout cuts the retries short: the target times out, not after every retry', async () => {
    const result = await x(['ping', '--on', refused, '--retries', '100', '--timeout', '1500', '--json']);
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({ ok: false, error: { code: 'ERR_X_TARGET_TIMEOUT' } });
    expect(line!['attempts']).toBeLessThan(101);
  });

  it('--fail-fast cuts the retries short: another target failed, so the one being retried is cancelled', async () => {
    const result = await x(['run', '--on', `${refused},local`, '--retries', '50', '--fail-fast', '--json', `${control}#failOn`, join(scratch, 'fail-fast'), '1']);
    const lines = Object.fromEntries(jsonLines(result.stdout).map((line) => [line['target'], line]));
    expect(lines['local']).toMatchObject({ ok: false, error: { code: 'E_ON_PURPOSE' } });
    expect(lines[refused]).toMatchObject({ ok: false, error: { code: 'ERR_X_CANCELLED', reason: 'fail-fast' } });
    expect(lines[refused]!['attempts']).toBeLessThan(51);
  });

  it('Ctrl+C cuts the retries short: x ends by SIGINT while it waits to retry', async () => {
    const run = startX(['ping', '--on', refused, '--retries', '50']);
    await until(() => run.stderr().includes('retry 1 of 50'));
    run.child.kill('SIGINT');
    const result = await run.result;
    await expectNoneLeft(result.marker);
    expect(result.signal).toBe('SIGINT');
    expect(result.stderr).not.toContain('retry 3 of 50');
  });
});

/** Each target's pid (from its --json result) and the journal's lines, for checking the order of batches. */
function journalOf(stdout: string, file: string): { pids: number[]; events: string[] } {
  const objects = jsonLines(stdout).sort((a, b) => Number(String(a['target']).split('-')[1]) - Number(String(b['target']).split('-')[1]));
  return { pids: objects.map((o) => o['result'] as number), events: readFileSync(file, 'utf8').trimEnd().split('\n') };
}

/** Checks that every target of a batch ended before any target of the next started. */
function expectBatches(pids: number[], events: string[], sizes: number[]): void {
  let first = 0;
  for (const [k, size] of sizes.entries()) {
    const batch = pids.slice(first, first + size);
    const next = pids.slice(first + size, first + size + (sizes[k + 1] ?? 0));
    const lastEnd = Math.max(...batch.map((pid) => events.indexOf(`end ${pid}`)));
    for (const pid of next) expect(events.indexOf(`start ${pid}`)).toBeGreaterThan(lastEnd);
    first += size;
  }
  expect(first).toBe(pids.length);
}

describe('x --batch', () => {
  it('starts a batch only once every target of the one before has ended', async () => {
    const file = join(scratch, 'batch-count');
    const result = await x(['run', '--on', 'local*5', '--batch', '2', '--json', `${control}#journal`, file, '200']);
    expect(result.code).toBe(0);
    const { pids, events } = journalOf(result.stdout, file);
    expectBatches(pids, events, [2, 2, 1]);
  });

  it('P% is that share of the targets, rounded down, at least 1', async () => {
    const file = join(scratch, 'batch-percent');
    const result = await x(['run', '--on', 'local*5', '--batch', '40%', '--json', `${control}#journal`, file, '100']);
    const { pids, events } = journalOf(result.stdout, file);
    expectBatches(pids, events, [2, 2, 1]);
    const tiny = join(scratch, 'batch-tiny');
    const one = await x(['run', '--on', 'local*3', '--batch', '10%', '--json', `${control}#journal`, tiny, '50']);
    const ones = journalOf(one.stdout, tiny);
    expectBatches(ones.pids, ones.events, [1, 1, 1]);
  });

  it('--parallel still bounds each batch', async () => {
    const tokens = join(scratch, 'batch-tokens');
    const result = await x(['run', '--on', 'local*6', '--batch', '3', '--parallel', '2', '--json', `${fixtures}tasks.ts#hold`, tokens, '200']);
    expect(result.code).toBe(0);
    expect(Math.max(...jsonLines(result.stdout).map((o) => o['result'] as number))).toBeLessThanOrEqual(2);
  });
});

describe('x --max-fail-percent', () => {
  it('starts no target once more than P% of a batch failed; the rest are cancelled, saying why', async () => {
    // One at a time, so that the calls are numbered in the targets' order: the third fails.
    const result = await x(['run', '--on', 'local*6', '--parallel', '1', '--batch', '2', '--max-fail-percent', '40', '--json', `${control}#failOn`, join(scratch, 'fail-batch'), '3']);
    expect(result.code).toBe(1);
    const why = 'cancelled: not started: 1 of 2 targets of batch 2 of 3 failed, more than --max-fail-percent 40';
    const cancelled = { ok: false, attempts: 0, error: { name: 'CancelledError', code: 'ERR_X_CANCELLED', reason: 'max-fail-percent', message: why } };
    expect(jsonLines(result.stdout).map(({ duration, ...line }) => line)).toEqual([
      { target: 'local-1', ok: true, result: 1, attempts: 1 },
      { target: 'local-2', ok: true, result: 2, attempts: 1 },
      expect.objectContaining({ target: 'local-3', ok: false, error: expect.objectContaining({ code: 'E_ON_PURPOSE' }) }),
      { target: 'local-4', ...cancelled },
      { target: 'local-5', ...cancelled },
      { target: 'local-6', ...cancelled },
    ]);
  });

  it('without --batch the share is of all the targets, and reaching P is not exceeding it', async () => {
    const result = await x(['run', '--on', 'local*5', '--parallel', '1', '--max-fail-percent', '40', '--json', `${control}#failOn`, join(scratch, 'fail-all'), '1', '2', '3']);
    const lines = jsonLines(result.stdout);
    // 2 of 5 is 40%: go on; 3 of 5 is more.
    expect(lines.map((line) => (line['ok'] ? 'ok' : line['error'].code))).toEqual(['E_ON_PURPOSE', 'E_ON_PURPOSE', 'E_ON_PURPOSE', 'ERR_X_CANCELLED', 'ERR_X_CANCELLED']);
    expect(lines[3]!['error'].message).toBe('cancelled: not started: 3 of 5 targets failed, more than --max-fail-percent 40');
    const plain = await x(['run', '--on', 'local*2', '--parallel', '1', '--max-fail-percent', '0', `${control}#failOn`, join(scratch, 'fail-zero'), '1']);
    expect(plain.stderr).toContain('\nx: 1 of 2 targets failed, more than --max-fail-percent 0: starting no more targets\n');
    expect(plain.stderr).toMatch(/^local-2 +cancelled +\S+ m?s +CancelledError ERR_X_CANCELLED: cancelled: not started: 1 of 2 targets failed, more than --max-fail-percent 0$/m);
    expect(plain.stderr).toMatch(/0 of 2 targets succeeded in .*; not ok: local-1, local-2 \(cancelled\)\n$/);
  });
});
