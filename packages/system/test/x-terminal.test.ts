// x on a terminal (a pty from @x/process): a live progress line, colored target names, the summary.
import { randomUUID } from 'node:crypto';
import { ttyCreateChild } from '@x/process';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { expectNoneLeft, repoRoot, xBin } from './helpers.js';

useLeakCheck();

describe('x on a terminal', () => {
  it('draws a progress line, colors each target name, and ends with the summary table', async () => {
    const marker = randomUUID();
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', X_TEST_MARKER: marker };
    delete env['NO_COLOR'];
    delete env['FORCE_COLOR'];
    delete env['CI'];
    const child = ttyCreateChild(process.execPath, [xBin, 'exec', '--on', 'local*2', '--', 'sh', '-c', 'sleep 0.3; echo hello'], {
      pty: { cols: 120, rows: 40 },
      env,
      cwd: repoRoot,
    });
    let screen = '';
    for await (const chunk of child.terminal!.input) screen += chunk;
    expect(await child.exited).toMatchObject({ code: 0 });
    expect(screen).toMatch(/x exec: \d+ done, \d+ running of 2, \d+ ms/);
    // Each output line: an escape sequence colors the name, then ` | hello`.
    expect(screen).toMatch(/\x1b\[\d+mlocal-1\x1b\[\d+m \| hello\r\n/);
    expect(screen).toMatch(/\x1b\[\d+mlocal-2\x1b\[\d+m \| hello\r\n/);
    expect(screen).toMatch(/TARGET +STATUS +TIME +RESULT/);
    expect(screen).toMatch(/2 of 2 targets succeeded/);
    await expectNoneLeft(marker);
  });
});
