import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
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

/** Every entry under `root` with its kind, permission bits, and content hash or link target, in a stable order. */
export function treeSnapshot(root: string): string[] {
  const lines: string[] = [];
  const visit = (relative: string): void => {
    const path = join(root, relative);
    const stat = lstatSync(path);
    const mode = (stat.mode & 0o7777).toString(8);
    if (stat.isSymbolicLink()) lines.push(`${relative} link ${readlinkSync(path)}`);
    else if (stat.isDirectory()) {
      lines.push(`${relative} dir ${mode}`);
      for (const name of readdirSync(path).sort()) visit(join(relative, name));
    } else lines.push(`${relative} file ${mode} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`);
  };
  visit('');
  return lines;
}

/** A uint32 as the v8 serializer's varint, in hex (for payloads written byte by byte). */
export function varint(value: number): string {
  const bytes: number[] = [];
  do {
    bytes.push((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
    value = Math.floor(value / 128);
  } while (value > 0);
  return Buffer.from(bytes).toString('hex');
}
