import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { ChannelError } from '../src/index.js';
import { quietRouter, tasks } from './helpers.js';

useLeakCheck();

describe('Receiver', () => {
  it('yields what the context sends through the sender, and ends when it closes it', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<string>();
    const done = ctx.call(tasks, 'stream', 5, rx.sender);
    const lines: string[] = [];
    for await (const line of rx) lines.push(line);
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    expect(await done).toBe(5);
  });

  it('works with a sender nested inside an argument', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<string>();
    await ctx.call(tasks, 'streamNested', { out: [rx.sender] });
    const lines: string[] = [];
    for await (const line of rx) lines.push(line);
    expect(lines).toEqual(['nested']);
  });

  it('throws ChannelError disconnected when the context dies without closing the sender', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<string>();
    await ctx.call(tasks, 'streamNoClose', rx.sender);
    expect(await rx.next()).toEqual({ value: 'only one', done: false });
    process.kill(ctx.pid!, 'SIGKILL');
    const error = await rx.next().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ reason: 'disconnected' });
  });

  it('closes when the loop breaks, and ends with shutdown when the router closes', async () => {
    const router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<string>();
    await ctx.call(tasks, 'streamNoClose', rx.sender);
    for await (const line of rx) {
      expect(line).toBe('only one');
      break;
    }
    expect(await rx.next()).toEqual({ value: undefined, done: true });
    const other = router.receiver<string>();
    await ctx.call(tasks, 'streamNoClose', other.sender);
    await other.next();
    const waiting = other.next().catch((caught: unknown) => caught);
    await router.close();
    expect(await waiting).toMatchObject({ reason: 'shutdown' });
  });
});
