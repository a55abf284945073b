import { randomUUID } from 'node:crypto';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/index.js';
import { coreSource } from '../src/connect/core-source.js';
import { alive, eventually, processesWith, quietRouter, tasks } from './helpers.js';
import { ManualContext } from './manual-context.js';
import { CLOSE_POINTS, closeDuring, startRoot } from './starts.js';

useLeakCheck();

const cleanup = new URL('./fixtures/cleanup.ts', import.meta.url);

describe('Context.shutdown()', () => {
  it("runs the context's @x/signals cleanup, then the context exits", async () => {
    await using router = quietRouter();
    const lines: string[] = [];
    router.onLog((record: LogRecord) => lines.push(record.text));
    const ctx = await router.local();
    await ctx.call(cleanup, 'registerCleanup', false);
    // A forced end would take the whole minute; the test's own timeout would fail first.
    await ctx.shutdown({ timeoutMs: 60_000 });
    expect(alive(ctx.pid!)).toBe(false);
    expect(await eventually(() => lines.includes('cleanup finished'))).toBe(true);
    expect((await ctx.disconnected).reason).toBe('disconnected');
  });

  it('kills the context and its process group when cleanup outlasts timeoutMs', async () => {
    await using router = quietRouter();
    const lines: string[] = [];
    router.onLog((record: LogRecord) => lines.push(record.text));
    const marker = `x-remote-shutdown-${randomUUID()}`;
    const ctx = await router.local();
    await ctx.call(cleanup, 'registerCleanup', true);
    const grandchild = await ctx.call<number>(tasks, 'startMarked', marker);
    await ctx.shutdown({ timeoutMs: 300 });
    expect(alive(ctx.pid!)).toBe(false);
    expect(lines).toContain('cleanup started');
    expect(lines).not.toContain('cleanup finished');
    expect(await eventually(() => !alive(grandchild))).toBe(true);
    expect(processesWith(marker)).toEqual([]);
  });

  it('resolves at once for a context that is already gone', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    process.kill(ctx.pid!, 'SIGKILL');
    await ctx.disconnected;
    await ctx.shutdown();
  });
});

describe('the end of a parent', () => {
  it('ends a context started through it (via), and everything both started, on kill -9 of the parent', async () => {
    await using router = quietRouter();
    const marker = `x-remote-orphan-${randomUUID()}`;
    const parent = await router.local({ name: 'middle' });
    const child = await router.local({ name: 'leaf', via: parent });
    expect(child.pid).not.toBe(parent.pid);
    expect(await child.call(tasks, 'title')).toBe('node (x:leaf)');
    expect(await child.call(tasks, 'names')).toEqual({ current: 'leaf', currentId: child.id, parentId: parent.id });
    const started = [await parent.call<number>(tasks, 'startMarked', marker), await child.call<number>(tasks, 'startMarked', marker)];
    expect(started.every(alive)).toBe(true);
    const pending = child.call(tasks, 'hang').catch((error: unknown) => error);
    process.kill(parent.pid!, 'SIGKILL');
    expect(await pending).toMatchObject({ reason: 'disconnected' });
    await child.disconnected;
    expect(await eventually(() => !alive(child.pid!) && processesWith(marker).length === 0)).toBe(true);
    const fresh = await router.local();
    expect(await fresh.call(tasks, 'add', 1, 2)).toBe(3);
  });
});

describe('stdin', () => {
  it('ends the context when it reaches EOF (the parent closed it or died)', async () => {
    const context = new ManualContext(await coreSource());
    try {
      await context.start();
      expect(await context.ping()).toBe(true);
      context.child.stdin!.end();
      const end = await Promise.race([context.exited, new Promise<'hung'>((resolve) => setTimeout(resolve, 20_000, 'hung'))]);
      expect(end).not.toBe('hung');
      expect(context.stderr.join('')).toBe('');
    } finally {
      await context.stop();
    }
  });
});

describe('contexts started via another', () => {
  it('get their modules from the parent context, which keeps them for its other children and itself', async () => {
    await using router = quietRouter();
    const middle = await router.local({ name: 'middle' });
    const first = await router.local({ name: 'first', via: middle });
    const second = await router.local({ name: 'second', via: middle });
    expect(await first.call(tasks, 'add', 1, 2)).toBe(3);
    expect(await second.call(tasks, 'names')).toEqual({ current: 'second', currentId: second.id, parentId: middle.id });
    // Nothing is shipped to the middle context now: it runs the records it keeps for its children.
    expect(await middle.call(tasks, 'title')).toBe('node (x:middle)');
    await first.shutdown();
    expect(await second.call(tasks, 'add', 2, 2)).toBe(4);
  });
});

describe('router.close() while a context starts', () => {
  it('settles a local start whatever step it is in, and leaves no process of it behind once close() resolves', async () => {
    const outcomes: string[] = [];
    for (const point of CLOSE_POINTS) {
      const marker = `x-remote-close-local-${randomUUID()}`;
      const router = quietRouter();
      outcomes.push(await closeDuring(router, point, marker, () => router.local({ name: marker })));
      // No eventually(): a start that close() stopped rejected only after its process had exited.
      expect(processesWith(marker), `close() at ${point}`).toEqual([]);
    }
    // close() before the core was even read stops the start every time; the later points may see it ready.
    expect(outcomes[0]).toBe('rejected');
  });

  it('settles a start via another context whatever step it is in, and nothing of it is left', async () => {
    for (const point of CLOSE_POINTS) {
      const marker = `x-remote-close-via-${randomUUID()}`;
      const router = quietRouter();
      const middle = await router.local({ name: `${marker}-middle` });
      await closeDuring(router, point, `${marker}-leaf`, () => router.local({ name: `${marker}-leaf`, via: middle }));
      expect(alive(middle.pid!)).toBe(false);
      // The leaf was the middle context's child: it ends on its own when its channel to the middle closes.
      expect(await eventually(() => processesWith(marker).length === 0), `close() at ${point}: ${processesWith(marker).join(' ')}`).toBe(true);
    }
  });

  it('fails a start asked for after close() with ChannelError shutdown, starting nothing', async () => {
    const marker = `x-remote-close-after-${randomUUID()}`;
    const router = quietRouter();
    await router.close();
    await expect(router.local({ name: marker })).rejects.toMatchObject({ reason: 'shutdown' });
    expect(processesWith(marker)).toEqual([]);
  });
});

describe('the end of the root', () => {
  it('ends every context, local and through a chain, and what they started, on kill -9 of the root process', async () => {
    const marker = `x-remote-root-kill-${randomUUID()}`;
    const root = startRoot(marker);
    try {
      const { pids, marked } = await root.contexts;
      const all = [...pids, ...marked].filter((pid) => typeof pid === 'number');
      expect(all).toHaveLength(6);
      expect(all.every(alive)).toBe(true);
      await root.kill();
      // An exiting process loses its command line a moment before it stops being alive: wait for both.
      const gone = (): boolean => processesWith(marker).length === 0 && !all.some(alive);
      expect(await eventually(gone, 20_000), `left: ${processesWith(marker).join(' ')}`).toBe(true);
    } finally {
      await root.kill();
    }
  });
});
