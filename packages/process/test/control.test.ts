import { spawn as spawnNode } from 'node:child_process';
import { once } from 'node:events';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { exitStatus } from '../src/index.js';
import { fixture, node, readUntil, collect, run } from './helpers.js';

useLeakCheck();

describe('control(main)', () => {
  it('exits with the number main returns', async () => {
    const result = await run('control-return.mjs', ['42']);
    expect(result).toMatchObject({ code: 42, signal: null, stderr: '' });
  });

  it('exits with the status of a thrown Exit, after the async cleanup, printing nothing', async () => {
    const result = await run('control-exit.mjs');
    expect(result).toMatchObject({ code: 3, signal: null, stdout: 'cleanup {"code":3}\n', stderr: '' });
  });

  it('runs the cleanup on SIGTERM, then dies by SIGTERM', async () => {
    const child = node('control-sigterm.mjs', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await readUntil(child.stdout, /ready\n/);
    child.kill('SIGTERM');
    const [rest, stderr, result] = await Promise.all([collect(child.stdout), collect(child.stderr), child.exited]);
    expect(ready + rest).toBe('ready\ncleanup {"signal":"SIGTERM"}\n');
    expect(stderr).toBe('');
    expect(result).toMatchObject({ code: null, signal: 'SIGTERM' });
  });

  it('dies by the signal of a thrown Interruption', async () => {
    const result = await run('control-interruption.mjs');
    expect(result).toMatchObject({ code: null, signal: 'SIGINT' });
  });

  it('prints an uncaught error and exits with exitStatus.uncaught (70)', async () => {
    const result = await run('control-uncaught.mjs');
    expect(result.code).toBe(exitStatus.uncaught);
    expect(result.code).toBe(70);
    expect(result.signal).toBeNull();
    expect(result.stderr).toContain('TypeError: the configuration is missing');
  });

  it('ends the program with a Critical when a critical call fails (status 71), never running the next line', async () => {
    const result = await run('control-critical.mjs');
    expect(result).toMatchObject({ code: exitStatus.critical, signal: null, stdout: '' });
    expect(result.stderr).toContain('Critical: A critical call failed: the disk is gone');
    expect(result.stderr).toContain('the disk is gone'); // the cause is printed too
  });

  it('ends the program on panic() from a timer, after cleanup, with status 71', async () => {
    const result = await run('control-panic.mjs');
    expect(result).toMatchObject({ code: 71, signal: null, stdout: 'cleanup\n' });
    expect(result.stderr).toContain('Critical: the journal and the index disagree');
  });

  it('reports a main that never settles once the event loop is empty, and exits with exitStatus.unsettled (13) after cleanup', async () => {
    const result = await run('control-unsettled.mjs');
    expect(result).toMatchObject({ code: exitStatus.unsettled, signal: null, stdout: 'cleanup ERR_X_PROCESS_MAIN_UNSETTLED\n' });
    expect(exitStatus.unsettled).toBe(13);
    expect(result.stderr).toContain('MainUnsettledError: main() never settled, and the event loop emptied');
  });

  it('ends the program on an error thrown in a timer as on one from main: cleanup, then status 70', async () => {
    const result = await run('control-timer-error.mjs');
    expect(result).toMatchObject({ code: exitStatus.uncaught, signal: null, stdout: 'cleanup\n' });
    expect(result.stderr).toContain('RangeError: the port is out of range');
  });

  it('awaits the cleanup after panic() even when the program has its own uncaughtException listener', async () => {
    const result = await run('control-panic-listener.mjs');
    expect(result).toMatchObject({ code: 71, signal: null, stdout: 'cleanup\n' });
    expect(result.stderr.match(/the journal and the index disagree/g)).toHaveLength(1);
  });

  it('ends the program with invocation.exit(status)', async () => {
    const result = await run('control-invocation-exit.mjs');
    expect(result).toMatchObject({ code: 9, signal: null, stderr: '' });
  });

  it('ends quietly by SIGPIPE, after the cleanup, when the reader of stdout goes away (`program | head -1`)', async () => {
    const child = spawnNode(process.execPath, [fixture('control-epipe.mjs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [first] = (await once(child.stdout.setEncoding('utf8'), 'data')) as [string];
    expect(first).toMatch(/^line 0\n/);
    child.stdout.destroy();
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGPIPE' });
    expect(stderr).toBe('cleanup {"signal":"SIGPIPE"}\n');
  });
});
