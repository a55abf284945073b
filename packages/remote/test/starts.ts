// Helpers for the tests of a context's start and of the root's end: close() at each step of a start,
// and a root in a process of its own that a test can kill.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ChannelError, type Context, type Router, type SshOptions } from '../src/index.js';
import { eventually, processesWith } from './helpers.js';

/**
 * Where a test calls close() while a start is in flight: at once, after a microtask, after the poll
 * phase, once the context's process exists (`'spawned'`), or after a number of milliseconds. Which step
 * the start is in then depends on the machine's load; every outcome is checked the same way.
 */
export type ClosePoint = 'now' | 'microtask' | 'immediate' | 'spawned' | number;
export const CLOSE_POINTS: ClosePoint[] = ['now', 'microtask', 'immediate', 'spawned', 0, 1, 3, 8, 15, 30, 60, 90, 120, 180, 250];

async function reach(point: ClosePoint, marker: string): Promise<void> {
  if (point === 'now') return;
  if (point === 'microtask') await Promise.resolve();
  else if (point === 'immediate') await new Promise((resolve) => setImmediate(resolve));
  else if (point === 'spawned') await eventually(() => processesWith(marker).length > 0, 10_000);
  else await new Promise((resolve) => setTimeout(resolve, point));
}

/**
 * Starts a context with `start`, calls `router.close()` at `point`, and checks that the start settled:
 * rejected with ChannelError 'shutdown' (close() came first), or resolved with a context that close()
 * ended. A start that never settles fails the test by its timeout.
 */
export async function closeDuring(router: Router, point: ClosePoint, marker: string, start: () => Promise<Context>): Promise<'rejected' | 'resolved'> {
  const outcome = start().then(
    (context) => ({ context }),
    (error: unknown) => ({ error }),
  );
  await reach(point, marker);
  await router.close();
  const settled = await outcome;
  if ('error' in settled) {
    expect(settled.error, `close() at ${point}`).toBeInstanceOf(ChannelError);
    expect((settled.error as ChannelError).reason, `close() at ${point}: ${String(settled.error)}`).toBe('shutdown');
    return 'rejected';
  }
  expect(settled.context.isDisconnected, `close() at ${point}`).toBe(true);
  return 'resolved';
}

export interface RootProcess {
  /** What the root printed once its contexts were up: their pids (where known) and the pids of the processes they started. */
  contexts: Promise<{ pids: (number | null)[]; marked: number[] }>;
  /** Kills the root with SIGKILL (it closes nothing) and resolves once it has exited. */
  kill(): Promise<void>;
}

/**
 * Runs test/fixtures/root.mjs (a Router of the built package in a process of its own): a local
 * context, a chain of two, and with `ssh`, a context over ssh and one via it; every name carries `marker`.
 */
export function startRoot(marker: string, ssh?: SshOptions): RootProcess {
  const script = fileURLToPath(new URL('./fixtures/root.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, marker, ...(ssh === undefined ? [] : [JSON.stringify(ssh)])], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const contexts = new Promise<{ pids: (number | null)[]; marked: number[] }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)) as { pids: (number | null)[]; marked: number[] });
    });
    void exited.then(() => reject(new Error(`the root (test/fixtures/root.mjs) exited before it printed its contexts: ${err}`)));
  });
  return {
    contexts,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
