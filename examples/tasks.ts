// Functions for the x command to run on its targets, as in the README's first command:
//   pnpm -s x run --on 'local*4' examples/tasks.ts#hostInfo
// This module travels to each target with its imports (types stripped on the way); nothing is
// installed there but node.
import { cpus, freemem, hostname, loadavg, platform, release, totalmem, uptime } from 'node:os';
import { statfs } from 'node:fs/promises';

export interface HostInfo {
  hostname: string;
  platform: string;
  node: string;
  pid: number;
  cpus: number;
  load1: number;
  memoryUsedPercent: number;
  uptimeHours: number;
}

/** Who and where this target is: host, OS, Node, cores, load, memory. */
export function hostInfo(): HostInfo {
  return {
    hostname: hostname(),
    platform: `${platform()} ${release()}`,
    node: process.version,
    pid: process.pid,
    cpus: cpus().length,
    load1: Math.round(loadavg()[0]! * 100) / 100,
    memoryUsedPercent: Math.round((1 - freemem() / totalmem()) * 100),
    uptimeHours: Math.round(uptime() / 36) / 100,
  };
}

/** How full the file system holding `path` is, in percent; throws when it is above `maxPercent`. */
export async function diskUsage(path = '/', maxPercent = 100): Promise<{ path: string; usedPercent: number; freeGiB: number }> {
  const stats = await statfs(path);
  const usedPercent = Math.round((1 - stats.bavail / stats.blocks) * 1000) / 10;
  if (usedPercent > maxPercent) {
    throw Object.assign(new Error(`${path} is ${usedPercent}% full, over the ${maxPercent}% allowed`), { code: 'DISK_FULL' });
  }
  return { path, usedPercent, freeGiB: Math.round((stats.bavail * stats.bsize) / 2 ** 30 * 10) / 10 };
}

/** Returns its arguments as they arrived: how `x run` turns words into values. */
export function echo(...args: unknown[]): unknown[] {
  return args;
}
