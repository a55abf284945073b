// `x run` against local contexts, through the real binary: results, --json, arguments, failures,
// --fail-fast, --timeout, an inventory, and 200 targets with --parallel 50.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtures, jsonLines, tasks, x } from './helpers.js';

useLeakCheck();

const scratch = mkdtempSync(join(tmpdir(), 'x-run-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('x run', () => {
  it("runs the README's first command: hostInfo on local*4, each result prefixed, a summary table, exit 0", async () => {
    const result = await x(['run', '--on', 'local*4', 'examples/tasks.ts#hostInfo']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toMatch(/^local-[1-4] \| \{ hostname: '.+', platform: '.+', node: 'v\d+\.\d+\.\d+', pid: \d+, cpus: \d+, load1: [\d.]+, memoryUsedPercent: \d+, uptimeHours: [\d.]+ \}$/);
    expect(lines.map((line) => line.slice(0, 7)).sort()).toEqual(['local-1', 'local-2', 'local-3', 'local-4']);
    expect(result.stderr).toMatch(/^TARGET +STATUS +TIME +RESULT\n/);
    for (let k = 1; k <= 4; k++) expect(result.stderr).toMatch(new RegExp(`\\nlocal-${k} +ok +`));
    expect(result.stderr).toMatch(/\n4 of 4 targets succeeded in [\d.]+ m?s\n$/);
    // In a pipe: no escape codes anywhere.
    expect(result.stdout + result.stderr).not.toContain('\x1b');
  });

  it('--json prints one parseable object per target: target, ok, result, attempts, duration', async () => {
    const result = await x(['run', '--on', 'local*3', '--json', `${tasks}#whoami`]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const objects = jsonLines(result.stdout);
    expect(objects.map((o) => o['target']).sort()).toEqual(['local-1', 'local-2', 'local-3']);
    for (const object of objects) {
      expect(Object.keys(object)).toEqual(['target', 'ok', 'result', 'attempts', 'duration']);
      expect(object['attempts']).toBe(1);
      expect(object).toMatchObject({ ok: true, result: { node: process.version } });
      expect(typeof object['duration']).toBe('number');
    }
    expect(new Set(objects.map((o) => o['result'].pid)).size).toBe(3);
  });

  it('passes each argument as JSON when it parses as JSON, else as a string, options before the module only', async () => {
    const result = await x(['run', '--on', 'local', '--json', `${tasks}#echo`, '42', '"quoted"', 'true', 'null', '{"a":[1,2]}', 'word', '--json', '-1']);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ ok: true, result: [42, 'quoted', true, null, { a: [1, 2] }, 'word', '--json', -1] });
  });

  it("reports a function's error with its class and code, exits 1, and the summary names the target", async () => {
    const json = await x(['run', '--on', 'local*2', '--json', `${tasks}#fail`, 'E_BROKEN']);
    expect(json.code).toBe(1);
    for (const object of jsonLines(json.stdout)) {
      expect(object).toMatchObject({ ok: false, error: { code: 'E_BROKEN', message: expect.stringContaining('failing on purpose with E_BROKEN') } });
      expect(object).not.toHaveProperty('result');
    }
    const plain = await x(['run', '--on', 'local', `${tasks}#fail`, 'E_BROKEN']);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^local \| failed: Error E_BROKEN: failing on purpose with E_BROKEN$/m);
    expect(plain.stderr).toMatch(/^local +failed +\S+ m?s +Error E_BROKEN: failing on purpose with E_BROKEN$/m);
    expect(plain.stderr).toMatch(/0 of 1 target succeeded in .*; not ok: local\n$/);
  });

  it("shows a function's TypeError as `TypeError: message`, and with -v its stack from the target, naming the user's file and line", async () => {
    const plain = await x(['run', '--on', 'local', `${fixtures}control.ts#badType`]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/^local \| failed: TypeError: bad type here: number$/m);
    expect(plain.stderr).toMatch(/^local +failed +\S+ m?s +TypeError: bad type here: number$/m);
    expect(plain.stderr).not.toMatch(/ {4}at /);
    const verbose = await x(['run', '--on', 'local', '-v', `${fixtures}control.ts#badType`]);
    expect(verbose.stderr).toMatch(/^local \| failed: TypeError: bad type here: number\nlocal \| {5}at .*badType \(.*test\/fixtures\/control\.ts:\d+:\d+\)$/m);
  });

  it('--json carries the cause of an error as an error of its own, and with --verbose each stack', async () => {
    const result = await x(['run', '--on', 'local', '--json', `${fixtures}control.ts#withFields`]);
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({ ok: false, error: { name: 'Error', code: 'E_OUTER', message: 'the outer failure', cause: { name: 'RangeError', code: 'E_INNER', message: 'the inner reason' } } });
    expect(line!['error']).not.toHaveProperty('stack');
    const verbose = jsonLines((await x(['run', '--on', 'local', '--json', '--verbose', `${fixtures}control.ts#withFields`])).stdout)[0]!;
    expect(verbose['error'].stack).toMatch(/^Error: the outer failure\n {4}at .*withFields \(.*control\.ts:\d+:\d+\)/);
    expect(verbose['error'].cause.stack).toMatch(/^RangeError: the inner reason\n {4}at /);
  });

  it('--fail-fast cancels the targets not yet started after the first failure', async () => {
    const result = await x(['run', '--on', 'local*4', '--parallel', '1', '--fail-fast', '--json', `${tasks}#fail`, 'E_FIRST']);
    expect(result.code).toBe(1);
    const objects = jsonLines(result.stdout);
    expect(objects.map((o) => [o['target'], o['error'].code])).toEqual([
      ['local-1', 'E_FIRST'],
      ['local-2', 'ERR_X_CANCELLED'],
      ['local-3', 'ERR_X_CANCELLED'],
      ['local-4', 'ERR_X_CANCELLED'],
    ]);
  });

  it('--timeout gives up on targets that take longer (ERR_X_TARGET_TIMEOUT) and shuts their contexts down', async () => {
    const result = await x(['run', '--on', 'local*2', '--timeout', '3000', '--json', `${tasks}#sleep`, '600000']);
    expect(result.code).toBe(1);
    for (const object of jsonLines(result.stdout)) expect(object).toMatchObject({ ok: false, error: { code: 'ERR_X_TARGET_TIMEOUT', timeoutMs: 3000 } });
  });

  it("prints what the targets' code writes (console, fd 1 and 2) on stderr, prefixed, apart from the results", async () => {
    const result = await x(['run', '--on', 'local*2', '--quiet', `${tasks}#chatty`]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').sort()).toEqual(['', 'local-1 | done', 'local-2 | done']);
    for (const name of ['local-1', 'local-2']) {
      expect(result.stderr).toContain(`${name} | said with console.log\n`);
      expect(result.stderr).toContain(`${name} | written to fd 2\n`);
    }
  });

  it('--quiet prints the results but no summary', async () => {
    const result = await x(['run', '--on', 'local', '--quiet', `${tasks}#echo`, 'hi']);
    expect(result).toMatchObject({ code: 0, stdout: "local | [ 'hi' ]\n", stderr: '' });
  });

  it('expands @group from x.inventory.yaml in the working directory, nested groups included', async () => {
    writeFileSync(join(scratch, 'x.inventory.yaml'), 'groups:\n  pair: [local*2]\n  all: ["@pair", local]\n');
    const result = await x(['run', '--on', '@all', '--json', `${tasks}#whoami`], { cwd: scratch });
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout).map((o) => o['target']).sort()).toEqual(['local', 'local-1', 'local-2']);
    const unknown = await x(['run', '--on', '@none', `${tasks}#whoami`], { cwd: scratch });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^x: no group 'none' in .*x\.inventory\.yaml \(its groups: @pair, @all\)\.\n/);
  });

  it("an unreachable host fails its target with the error's class, code and ssh's own words, and the other targets go on", async () => {
    // Port 1 on loopback refuses connections.
    const result = await x(['run', '--on', 'nobody@127.0.0.1:1,local', '--json', `${tasks}#whoami`]);
    expect(result.code).toBe(1);
    const [ssh, local] = jsonLines(result.stdout).sort((a, b) => String(b['target']).localeCompare(String(a['target'])));
    expect(ssh).toMatchObject({ target: 'nobody@127.0.0.1:1', ok: false, attempts: 1, error: { code: expect.stringMatching(/^ERR_X_REMOTE_[A-Z_]+$/), message: expect.stringContaining('Connection refused') } });
    expect(local).toMatchObject({ target: 'local', ok: true });
    const plain = await x(['run', '--on', 'nobody@127.0.0.1:1', `${tasks}#whoami`]);
    // The table keeps one line per target, however long the error, and that line names the cause.
    expect(plain.stderr).toMatch(/^nobody@127\.0\.0\.1:1 +failed +\S+ m?s +\w+Error ERR_X_REMOTE_[A-Z_]+: ssh: connect to host 127\.0\.0\.1 port 1: Connection refused$/m);
  });

  it('runs 200 local targets with --parallel 50: all succeed, never more than 50 at once', async () => {
    const tokens = join(scratch, 'tokens');
    const result = await x(['run', '--on', 'local*200', '--parallel', '50', '--json', `${tasks}#hold`, tokens, '300']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const objects = jsonLines(result.stdout);
    expect(objects).toHaveLength(200);
    expect(objects.every((o) => o['ok'] === true)).toBe(true);
    const overlap = Math.max(...objects.map((o) => o['result'] as number));
    expect(overlap).toBeGreaterThan(1);
    expect(overlap).toBeLessThanOrEqual(50);
  }, 300_000);
});
