// main(fn): control, cleanup, the default router closed on exit, generator functions as coroutines.
// Each case runs a fixture program in a child process and checks how it ended and what it left.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { expectNoneLeft, fixtures } from './helpers.js';

useLeakCheck();

function start(fixture: string, args: string[]) {
  const marker = randomUUID();
  const child = spawn(process.execPath, [`${fixtures}${fixture}`, ...args], { env: { ...process.env, X_TEST_MARKER: marker }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, marker, ended, stdout: () => stdout };
}

describe('main(fn)', () => {
  it('exits with the status fn returns and leaves none of the contexts it started behind', async () => {
    const run = start('main-contexts.mjs', ['return', '3']);
    const result = await run.ended;
    expect(result).toMatchObject({ code: 3, signal: null, stderr: '' });
    expect(JSON.parse(result.stdout)).toHaveLength(2);
    await expectNoneLeft(run.marker);
  });

  it('reports an error fn throws, exits with exitStatus.uncaught (70), and still closes the contexts', async () => {
    const run = start('main-contexts.mjs', ['throw']);
    const result = await run.ended;
    expect(result.code).toBe(70);
    expect(result.stderr).toContain('main failed on purpose');
    await expectNoneLeft(run.marker);
  });

  it('on SIGINT closes the contexts, then dies by SIGINT', async () => {
    const run = start('main-contexts.mjs', ['wait']);
    while (!run.stdout().includes('\n')) await new Promise((resolve) => setTimeout(resolve, 20));
    run.child.kill('SIGINT');
    const result = await run.ended;
    expect(result).toMatchObject({ code: null, signal: 'SIGINT' });
    await expectNoneLeft(run.marker);
  });

  it('runs a generator function as an @x/coro coroutine and exits with what it returns', async () => {
    const result = await start('main-generator.mjs', ['4']).ended;
    expect(result).toMatchObject({ code: 4, signal: null, stdout: 'coroutine running, value 4\n', stderr: '' });
  });
});
