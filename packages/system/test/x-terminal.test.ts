// x on a terminal (a pty from @x/process): a live progress line, colored target names, the summary.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ttyCreateChild } from '@x/process';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { expectNoneLeft, repoRoot, xBin } from './helpers.js';

useLeakCheck();

/** Runs x with `args` on a 160-column pty with colors allowed; everything it drew, and how it ended. */
async function onTerminal(args: string[], marker: string): Promise<{ screen: string; exited: unknown }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', X_TEST_MARKER: marker };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  delete env['CI'];
  const child = ttyCreateChild(process.execPath, [xBin, ...args], { pty: { cols: 160, rows: 40 }, env, cwd: repoRoot });
  let screen = '';
  for await (const chunk of child.terminal!.input) screen += chunk;
  return { screen, exited: await child.exited };
}

describe('x on a terminal', () => {
  it('draws a progress line, colors each target name, and ends with the summary table', async () => {
    const marker = randomUUID();
    const { screen, exited } = await onTerminal(['exec', '--on', 'local*2', '--', 'sh', '-c', 'sleep 0.3; echo hello'], marker);
    expect(exited).toMatchObject({ code: 0 });
    expect(screen).toMatch(/x exec: \d+ done, \d+ running of 2, \d+ ms/);
    // Each output line: an escape sequence colors the name, then ` | hello`.
    expect(screen).toMatch(/\x1b\[\d+mlocal-1\x1b\[\d+m \| hello\r\n/);
    expect(screen).toMatch(/\x1b\[\d+mlocal-2\x1b\[\d+m \| hello\r\n/);
    expect(screen).toMatch(/TARGET +STATUS +TIME +RESULT/);
    expect(screen).toMatch(/2 of 2 targets succeeded/);
    await expectNoneLeft(marker);
  });

  it('x copy counts the bytes moved on its progress line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-copy-tty-'));
    try {
      const data = randomBytes(24 << 20);
      writeFileSync(join(dir, 'data.bin'), data);
      mkdirSync(join(dir, 'out'));
      const { screen, exited } = await onTerminal(['copy', '--on', 'local*2', join(dir, 'data.bin'), `${dir}/out/`], randomUUID());
      expect(exited).toMatchObject({ code: 0 });
      // Both targets write the same DEST: each copy lands whole, one renamed over the other.
      expect(readFileSync(join(dir, 'out', 'data.bin')).equals(data)).toBe(true);
      expect(screen).toMatch(/x copy: \d+ done(, \d+ failed)?, \d+ running of 2, [\d.]+ m?s, [\d.]+ [KMG]iB copied \([\d.]+ [KMG]?i?B\/s\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
