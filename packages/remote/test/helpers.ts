import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { Router, type RouterOptions } from '../src/index.js';

/** The module most tests call into. */
export const tasks = new URL('./fixtures/tasks.ts', import.meta.url);

/** A router that keeps its records instead of printing them. */
export function quietRouter(options: RouterOptions = {}): Router {
  return new Router({ logPrinter: false, ...options });
}

/** Whether a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until `check()` is true, polling every 10 ms, for at most `ms` milliseconds; returns the last result. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Pids of live processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker) && alive(Number(entry))) found.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
