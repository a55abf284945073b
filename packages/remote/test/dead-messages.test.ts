import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { ChannelError, ConnectError, ConnectTimeoutError, EofError, NodeNotFoundError } from '../src/index.js';
import { alive, eventually, processesWith, quietRouter, tasks } from './helpers.js';
import { killRound } from '../bench/kill-round.mjs';

useLeakCheck();

const bin = (name: string): string => new URL(`./fixtures/bin/${name}`, import.meta.url).pathname;

describe('dead messages', () => {
  it('fail a pending call with ChannelError disconnected when the context is killed', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'victim' });
    const pending = ctx.call(tasks, 'hang');
    const settled = pending.catch((error: unknown) => error);
    await ctx.call(tasks, 'add', 1, 1);
    process.kill(ctx.pid!, 'SIGKILL');
    const error = await settled;
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_CHANNEL', reason: 'disconnected' });
    expect((error as Error).message).toContain('victim');
    const reason = await ctx.disconnected;
    expect(reason.reason).toBe('disconnected');
  });

  it('fail a pending call when the context exits by itself, and later calls fail at once', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const pending = ctx.call(tasks, 'hang').catch((error: unknown) => error);
    await expect(ctx.call(tasks, 'exit', 7)).rejects.toMatchObject({ reason: 'disconnected' });
    expect(await pending).toMatchObject({ reason: 'disconnected' });
    await expect(ctx.call(tasks, 'add', 1, 2)).rejects.toMatchObject({ reason: 'disconnected' });
  });

  it('refuse a message over maxMessageSize before sending, and answer an oversized reply with too-large', async () => {
    await using router = quietRouter({ maxMessageSize: 1 << 20 });
    const ctx = await router.local();
    await expect(ctx.call(tasks, 'echo', Buffer.alloc(2 << 20))).rejects.toMatchObject({ reason: 'too-large' });
    const error = await ctx.call(tasks, 'bytes', 2 << 20).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChannelError);
    expect(error).toMatchObject({ reason: 'too-large' });
    expect((error as Error).message).toMatch(/exceeds maxMessageSize/);
    expect((await ctx.call<Buffer>(tasks, 'bytes', 1000)).length).toBe(1000);
  });

  it('fail pending calls with shutdown when the router closes, and refuse new contexts', async () => {
    const router = quietRouter({ closeTimeoutMs: 1000 });
    const ctx = await router.local();
    const pending = ctx.call(tasks, 'hang').catch((error: unknown) => error);
    await router.close();
    expect(await pending).toMatchObject({ reason: 'shutdown' });
    await expect(ctx.call(tasks, 'add', 1, 2)).rejects.toMatchObject({ reason: 'shutdown' });
    await expect(router.local()).rejects.toMatchObject({ reason: 'shutdown' });
    expect(alive(ctx.pid!)).toBe(false);
  });

  it('leave no hung call and no process after 100 rounds of kill -9 at a random moment', async () => {
    await using router = quietRouter();
    const marker = `x-remote-kill-${randomUUID()}`;
    let hung = 0;
    const outcomes = new Map<string, number>();
    const round = async (): Promise<void> => {
      for (const outcome of (await killRound(router, tasks, marker)).outcomes) {
        if (outcome === 'hung') hung++;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    };
    const rounds = 100;
    for (let batch = 0; batch < rounds / 4; batch++) await Promise.all([round(), round(), round(), round()]);
    expect(hung).toBe(0);
    expect([...outcomes.keys()].filter((outcome) => outcome !== 'ok' && outcome !== 'disconnected')).toEqual([]);
    expect(outcomes.get('disconnected')).toBeGreaterThanOrEqual(rounds);
    await eventually(() => processesWith(marker).length === 0);
    expect(processesWith(marker).map((pid) => readFileSync(`/proc/${pid}/stat`, 'utf8'))).toEqual([]);
  }, 300_000);
});

describe('connect errors', () => {
  it('name a missing node binary', async () => {
    await using router = quietRouter();
    const error = await router.local({ nodePath: '/nonexistent/bin/node' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NodeNotFoundError);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_NODE_NOT_FOUND' });
    expect((error as Error).message).toContain('/nonexistent/bin/node');
  });

  it('carry the stderr tail when the process exits before it is ready', async () => {
    await using router = quietRouter();
    const error = await router.local({ nodePath: bin('broken-node') }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(EofError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_EOF', stderrTail: 'broken node: cannot start' });
    expect((error as Error).message).toContain('exited with status 3');
  });

  it('time out after connectTimeoutMs and kill what was started', async () => {
    await using router = quietRouter();
    const error = await router.local({ nodePath: bin('hanging-node'), connectTimeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_CONNECT_TIMEOUT' });
    expect((error as Error).message).toContain('300 ms');
  });
});
