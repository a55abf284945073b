// What x-pipe.test.ts and x-pipe.sshd.test.ts share: running x with the read end of its stdout (or
// stderr) closed after the first line, and a command whose targets finish one at a time on cue.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { join } from 'node:path';
import { expectNoneLeft, startX, until, type XOptions, type XResult } from './helpers.js';

/**
 * A run of `turnCommand` on `targets` targets: its directory, the cue that x's pipe is closed (given
 * once every other target is running its sleep, so that x has some to kill), and the check that x
 * killed them.
 */
export interface Turn {
  dir: string;
  closed: () => Promise<void>;
  expectLateGone: () => Promise<void>;
}

export function turn(parent: string, targets: number): Turn {
  const dir = mkdtempSync(join(parent, 'turn-'));
  const pids = () => readdirSync(dir).filter((name) => name.startsWith('late-')).map((name) => Number(name.slice(5)));
  return {
    dir,
    async closed() {
      await until(() => pids().length === targets - 2);
      writeFileSync(join(dir, 'closed'), '');
    },
    async expectLateGone() {
      expect(pids()).toHaveLength(targets - 2);
      await until(() => pids().every((pid) => !alive(pid)), 5_000).catch(() => {
        throw new Error(`left running: ${pids().filter(alive).join(', ')}`);
      });
    },
  };
}

/**
 * For x exec: the first target to run it prints `first` at once, the second prints `second` once told
 * the pipe is closed (so that its line goes into a closed pipe), the others sleep (their pids noted)
 * until killed.
 */
export function turnCommand(dir: string): string[] {
  return [
    'sh',
    '-c',
    'if mkdir "$1/first" 2>/dev/null; then echo first; elif mkdir "$1/second" 2>/dev/null; then ' +
      'until [ -e "$1/closed" ]; do sleep 0.05; done; echo second; else : > "$1/late-$$"; exec sleep 600; fi',
    'sh',
    dir,
  ];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs x with the read end of its `stream` closed once the first line has come, then `after()`
 * (awaited); checks that x left no local process behind.
 */
export async function closeAfterFirstLine(
  args: string[],
  { stream = 'stdout', after = async () => {}, ...options }: XOptions & { stream?: 'stdout' | 'stderr'; after?: () => Promise<void> } = {},
): Promise<XResult & { first: string }> {
  const run = startX(args, options);
  const input = run.child[stream]!;
  let first = '';
  let afterwards: Promise<void> | undefined;
  const onData = (chunk: string) => {
    first += chunk;
    if (!first.includes('\n')) return;
    input.off('data', onData);
    input.destroy();
    afterwards = after();
  };
  input.on('data', onData);
  const result = await run.result;
  await afterwards;
  await expectNoneLeft(run.marker);
  return { ...result, first: first.slice(0, first.indexOf('\n') + 1) };
}
