import { randomUUID } from 'node:crypto';
import { useLeakCheck } from '@x/test-env';
import { skipPrivileged } from '@x/test-env/sshd';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/index.js';
import { eventually, processesWith, quietRouter } from './helpers.js';
import { CLOSE_POINTS, closeDuring } from './starts.js';

useLeakCheck();

const hops = new URL('./fixtures/hops.ts', import.meta.url);
const skip = skipPrivileged('the sudo/su tests');

describe.skipIf(skip)('sudo and su from this process', () => {
  it('starts a context through sudo with no password asked', async () => {
    await using router = quietRouter();
    const records: LogRecord[] = [];
    router.onLog((record) => records.push(record));
    const ctx = await router.sudo({ username: 'root', nodePath: process.execPath });
    const who = await ctx.call<{ user: string; uid: number }>(hops, 'speak', 'sudo');
    expect(who.uid).toBe(0);
    expect(await ctx.call(hops, 'echo', { a: [1, 2n] })).toEqual({ a: [1, 2n] });
    await eventually(() => records.length >= 5);
    const seen = records.map((record) => `${record.context.name} ${record.stream} ${record.text}`).sort();
    // One process under sudo: its process.stdout keeps its name; raw writes to fd 1 (its children's too)
    // arrive on sudo's stderr, beside fd 2's.
    expect(seen).toEqual([
      'sudo:root.1 console sudo console',
      'sudo:root.1 stderr sudo child',
      'sudo:root.1 stderr sudo fd1',
      'sudo:root.1 stderr sudo fd2',
      'sudo:root.1 stdout sudo stdout',
    ]);
    // ... sudo's child, which it runs in sudo's process group (the one its parent started for it).
    const { pid, pgid, parent } = await ctx.call<{ pid: number; pgid: number; parent: string }>(hops, 'processInfo');
    expect(parent).toBe('sudo');
    expect(pgid).not.toBe(pid);
  });

  it('settles a sudo start that close() interrupts at any step, and leaves nothing of it', async () => {
    for (const point of CLOSE_POINTS) {
      const marker = `x-remote-close-sudo-${randomUUID()}`;
      const router = quietRouter();
      await closeDuring(router, point, marker, () => router.sudo({ username: 'root', nodePath: process.execPath, name: marker }));
      expect(await eventually(() => processesWith(marker).length === 0, 20_000), `close() at ${point}: ${processesWith(marker).join(' ')}`).toBe(true);
    }
  });
});
