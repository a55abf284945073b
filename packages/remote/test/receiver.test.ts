import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { ChannelError } from '../src/index.js';
import { RECEIVER_WINDOW, SENDER_QUEUE_LIMIT } from '../src/calls/sender.js';
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

const flood = new URL('./fixtures/flood.ts', import.meta.url);
const KiB = 1024;

describe('Sender.send()', () => {
  it('waits for room once a window is in flight, and resumes as the consumer reads', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<Buffer>();
    const signal = router.receiver<number>();
    const done = ctx.call<number>(flood, 'sendUntilBlocked', rx.sender, signal.sender, 64 * KiB, 100);
    // Nothing was read yet: the producer must have stopped within one window (plus the value that crossed it).
    const blockedAt = (await signal.next()).value!;
    expect(blockedAt).toBeGreaterThan(0);
    expect(blockedAt).toBeLessThanOrEqual(RECEIVER_WINDOW + 64 * KiB);
    let index = 0;
    for await (const value of rx) {
      expect(value.length).toBe(64 * KiB);
      expect(value[0]).toBe(index++ % 256);
    }
    expect(index).toBe(100);
    expect(await done).toBe(100);
    signal.close();
  });

  it('streams many windows to a slow consumer without the receiver refusing it', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<Buffer>();
    const done = ctx.call<{ sent: number }>(flood, 'sendAwaiting', rx.sender, 400, 64 * KiB);
    let index = 0;
    for await (const value of rx) {
      expect(value[0]).toBe(index++ % 256);
      if (index % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(index).toBe(400);
    expect((await done).sent).toBe(400);
  });

  it('lets a producer that does not await run ahead up to SENDER_QUEUE_LIMIT, then throws overflow', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const small = router.receiver<Buffer>();
    expect(await ctx.call(flood, 'sendWithoutWaiting', small.sender, 40, 64 * KiB)).toEqual({ sent: 40 });
    let count = 0;
    for await (const value of small) expect(value[0]).toBe(count++ % 256);
    expect(count).toBe(40);

    const rx = router.receiver<Buffer>();
    const { sent, failure } = await ctx.call<{ sent: number; failure?: { reason: string; code: string; message: string } }>(flood, 'sendWithoutWaiting', rx.sender, 1000, 64 * KiB);
    expect(failure).toMatchObject({ reason: 'overflow', code: 'ERR_X_REMOTE_CHANNEL', message: expect.stringContaining('await sender.send()') });
    expect(sent * 64 * KiB).toBeLessThanOrEqual(RECEIVER_WINDOW + SENDER_QUEUE_LIMIT + 2 * 64 * KiB);
    // Everything accepted before the refusal still arrives, in order.
    for (let index = 0; index < sent; index++) expect((await rx.next()).value![0]).toBe(index % 256);
    rx.close();
  });
});

describe('Receiver.close()', () => {
  it('reaches the sender: its later sends fail with ChannelError closed instead of vanishing', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<number>();
    const producing = ctx.call<{ sent: number; failure?: unknown }>(flood, 'sendUntilRefused', rx.sender, 1_000_000);
    for await (const value of rx) {
      if (value === 10) break;
    }
    const { sent, failure } = await producing;
    expect(failure).toMatchObject({ reason: 'closed', code: 'ERR_X_REMOTE_CHANNEL', message: expect.stringContaining('was closed') });
    expect(sent).toBeLessThan(1_000_000);
    expect(await ctx.call(tasks, 'add', 1, 2)).toBe(3);
  });

  it('makes a sender in this process throw closed too', async () => {
    await using router = quietRouter();
    const rx = router.receiver<number>();
    await rx.sender.send(1);
    rx.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(() => rx.sender.send(2)).toThrow(expect.objectContaining({ reason: 'closed' }));
  });
});

describe('Receiver (hostile senders)', () => {
  for (const depth of ['child', 'grandchild'] as const) {
    it(`refuses a ${depth} that sends past its credit with ChannelError overflow, and keeps answering calls`, async () => {
      await using router = quietRouter();
      const hop = await router.local({ name: 'hop' });
      const ctx = depth === 'child' ? hop : await router.local({ name: 'leaf', via: hop });
      const rx = router.receiver<string>();
      // 64 values of 256 KiB, forged onto the channel with no regard for credit: 8 windows.
      expect(await ctx.call(flood, 'forgeValues', rx.sender, 64, 256 * KiB)).toBe(64);
      const error = await rx.next().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ChannelError);
      expect(error).toMatchObject({ reason: 'overflow', message: expect.stringContaining('sent more than this receiver granted') });
      expect(await ctx.call(tasks, 'add', 2, 3)).toBe(5);
    });
  }
});
