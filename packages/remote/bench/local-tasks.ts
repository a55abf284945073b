// What the local benchmarks and the kill -9 rounds call in their contexts.
import { spawn } from 'node:child_process';

export function echo<T>(value: T): T {
  return value;
}

export function doNothing(): void {}

/** The Node flags the context was started with (its command line's title is rewritten, /proc shows the name). */
export function nodeFlags(): string[] {
  const firstStage = process.execArgv.indexOf('-e');
  return firstStage < 0 ? process.execArgv : process.execArgv.slice(0, firstStage);
}

export function pid(): number {
  return process.pid;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

export function hang(): Promise<never> {
  return new Promise(() => {});
}

/** Starts a grandchild carrying `marker` on its command line, so a leak of it can be found in /proc. */
export function startMarked(marker: string): number {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1e9)', marker], { stdio: 'ignore' }).pid!;
}
