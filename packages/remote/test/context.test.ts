import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import {
  CallTimeoutError, ChannelError, InvalidArgumentError, NoSuchExportError, NotInContextError, RemoteError, currentContext, parentContext,
} from '../src/index.js';
import { quietRouter, tasks } from './helpers.js';

useLeakCheck();

describe('Context.call()', () => {
  it('runs the exported function in a separate process and returns its value', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'calls' });
    expect(await ctx.call(tasks, 'add', 2, 3)).toBe(5);
    expect(await ctx.call(tasks.pathname, 'add', 4, 5)).toBe(9);
    expect(await ctx.call(tasks.href, 'sleep', 1)).toBe('slept');
    const pid = await ctx.call<number>(tasks, 'pid');
    expect(pid).toBe(ctx.pid);
    expect(pid).not.toBe(process.pid);
  });

  it('carries Map, Set, Date, BigInt, RegExp, typed arrays, cycles and large Buffers both ways', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = cyclic;
    const big = Buffer.alloc(3 << 20);
    for (let index = 0; index < big.length; index += 4096) big[index] = index % 251;
    const value = {
      map: new Map<unknown, unknown>([['a', 1], [2, new Set([3n])]]),
      when: new Date(86_400_000),
      pattern: /x+/giu,
      floats: new Float64Array([1.5, -2]),
      small: Buffer.from('hi'),
      big,
      bytes: new Uint8Array(big.buffer, 4096, 100_000),
      cyclic,
    };
    const back = await ctx.call<typeof value>(tasks, 'echo', value);
    expect(back.map).toEqual(value.map);
    expect(back.when).toEqual(value.when);
    expect(back.pattern).toEqual(value.pattern);
    expect(back.floats).toEqual(value.floats);
    expect(Buffer.isBuffer(back.small) && back.small.toString()).toBe('hi');
    expect(Buffer.isBuffer(back.big)).toBe(true);
    expect(back.big.equals(big)).toBe(true);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.bytes)).toBe(false);
    expect(Buffer.from(back.bytes).equals(Buffer.from(value.bytes))).toBe(true);
    expect(back.cyclic['self']).toBe(back.cyclic);
  });

  it('gives a typed module proxy whose functions are calls', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const remote = ctx.module<typeof import('./fixtures/tasks.js')>(tasks);
    expect(await remote.add(20, 22)).toBe(42);
    expect(await remote.echo(['x'])).toEqual(['x']);
    expect((remote as unknown as { then?: unknown }).then).toBeUndefined();
  });

  it('starts calls in the order they were made, callNoReply ones included, while modules still load', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const service = new URL('./fixtures/service.ts', import.meta.url);
    // Nothing is awaited in between: the first call waits for its module graph, the later ones must not overtake it.
    const sent = [ctx.callNoReply(tasks, 'remember', 'first'), ctx.callNoReply(tasks, 'remember', 'second')];
    const lookup = ctx.call(service, 'lookup', 'between');
    const third = ctx.callNoReply(tasks, 'remember', 'third');
    const seen = ctx.call(tasks, 'remembered');
    await Promise.all([...sent, third, lookup]);
    expect(await seen).toEqual(['first', 'second', 'third']);
  });

  it('names the context: process title, name, id, pid, and currentContext/parentContext inside it', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'named-ctx' });
    expect(ctx.name).toBe('named-ctx');
    expect(ctx.id).toBeGreaterThan(0);
    expect(await ctx.call(tasks, 'title')).toBe('node (x:named-ctx)');
    expect(await ctx.call(tasks, 'names')).toEqual({ current: 'named-ctx', currentId: ctx.id, parentId: 0 });
    const other = await router.local();
    expect(other.id).not.toBe(ctx.id);
    expect(other.name).toBe(`local.${other.id}`);
  });

  it('passes cwd and env to the context', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ cwd: '/tmp', env: { ...process.env, X_REMOTE_TEST: 'yes' } });
    expect(await ctx.call(tasks, 'environment', 'X_REMOTE_TEST')).toEqual({ cwd: '/tmp', value: 'yes' });
  });
});

describe('errors from calls', () => {
  it('rebuilds a custom error as RemoteError with class name, message, code, cause and a stack naming the context', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'thrower' });
    const error = (await ctx.call(tasks, 'failCustom').catch((caught: unknown) => caught)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ name: 'ValidationError', remoteName: 'ValidationError', message: 'bad name', code: 'E_VALIDATION', context: 'thrower' });
    expect(error.cause).toBeInstanceOf(RangeError);
    expect((error.cause as Error).message).toBe('too long');
    expect(error.stack).toMatch(/^ValidationError: bad name/);
    expect(error.stack).toMatch(/ {4}at \[thrower\] .*tasks\.ts/);
  });

  it('returns built-in error classes as themselves, async throws included', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const typeError = await ctx.call(tasks, 'failType').catch((caught: unknown) => caught);
    expect(typeError).toBeInstanceOf(TypeError);
    expect(typeError).toMatchObject({ message: 'not a number' });
    const asyncError = await ctx.call(tasks, 'failAsync').catch((caught: unknown) => caught);
    expect(asyncError).toBeInstanceOf(Error);
    expect(asyncError).toMatchObject({ message: 'async failure', code: 'E_ASYNC' });
  });

  it('reports a missing export and an unserializable result as errors, and the context stays usable', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const missing = (await ctx.call(tasks, 'noSuchFunction').catch((caught: unknown) => caught)) as RemoteError;
    expect(missing).toMatchObject({ remoteName: 'NoSuchExportError', code: 'ERR_X_REMOTE_NO_EXPORT' });
    expect(missing.message).toContain('noSuchFunction');
    const unserializable = (await ctx.call(tasks, 'notSerializable').catch((caught: unknown) => caught)) as Error;
    expect(unserializable).toMatchObject({ name: 'SerializationError', code: 'ERR_X_REMOTE_NOT_SERIALIZABLE' });
    expect(await ctx.call(tasks, 'add', 1, 1)).toBe(2);
  });

  it('refuses an argument that cannot be serialized before anything is sent', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    await expect(ctx.call(tasks, 'echo', () => 1)).rejects.toMatchObject({ name: 'SerializationError', code: 'ERR_X_REMOTE_NOT_SERIALIZABLE' });
    expect(await ctx.call(tasks, 'add', 1, 2)).toBe(3);
  });
});

describe('call options', () => {
  it('rejects with CallTimeoutError after timeoutMs and leaves the context usable', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const error = await ctx.withOptions({ timeoutMs: 50 }).call(tasks, 'hang').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_CALL_TIMEOUT', timeoutMs: 50 });
    expect(await ctx.withOptions({ timeoutMs: 10_000 }).call(tasks, 'add', 1, 2)).toBe(3);
  });

  it('applies the router-wide callTimeoutMs, which a call can override', async () => {
    await using router = quietRouter({ callTimeoutMs: 50 });
    const ctx = await router.local();
    await expect(ctx.call(tasks, 'hang')).rejects.toBeInstanceOf(CallTimeoutError);
    expect(await ctx.withOptions({ timeoutMs: 5000 }).call(tasks, 'sleep', 100)).toBe('slept');
  });

  it('stops waiting when the signal aborts, with the signal reason', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const controller = new AbortController();
    const pending = ctx.withOptions({ signal: controller.signal }).call(tasks, 'hang');
    setTimeout(() => controller.abort(new Error('enough')), 20);
    await expect(pending).rejects.toThrow('enough');
    await expect(ctx.withOptions({ signal: AbortSignal.abort() }).call(tasks, 'add', 1, 2)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects bad arguments with ERR_X_INVALID_ARG naming the argument', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    expect(() => ctx.withOptions({ timeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => ctx.withOptions({ signal: 'no' as unknown as AbortSignal })).toThrow(expect.objectContaining({ argument: 'signal' }));
    await expect(ctx.call('relative/path.ts', 'add')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'moduleUrl' });
    await expect(ctx.call(new URL('https://example.com/x.js'), 'add')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
    await expect(ctx.call(tasks, '')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'exportName' });
    await expect(ctx.shutdown({ timeoutMs: Number.NaN })).rejects.toMatchObject({ argument: 'timeoutMs' });
    await expect(router.local({ name: '' })).rejects.toMatchObject({ argument: 'name' });
    await expect(router.local({ connectTimeoutMs: 0 })).rejects.toMatchObject({ argument: 'connectTimeoutMs' });
    expect(() => quietRouter({ maxMessageSize: 10 })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'maxMessageSize' }));
    expect(() => quietRouter({ logLevel: 'loud' as 'info' })).toThrow(expect.objectContaining({ argument: 'logLevel' }));
  });
});

describe('parentContext() and currentContext()', () => {
  it('throw NotInContextError outside a context', () => {
    expect(() => parentContext()).toThrow(NotInContextError);
    expect(() => currentContext()).toThrow(expect.objectContaining({ code: 'ERR_X_REMOTE_NOT_IN_CONTEXT' }));
  });
});

describe('ChannelError', () => {
  it('is what a call to a context that is gone rejects with', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    await ctx.shutdown();
    const error = await ctx.call(tasks, 'add', 1, 2).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChannelError);
    expect((error as ChannelError).reason).toBe('disconnected');
    // Not awaited, as fire-and-forget calls are: the failure must not become an unhandled rejection.
    void ctx.callNoReply(tasks, 'add', 1, 2);
    await expect(ctx.callNoReply(tasks, 'add', 1, 2)).rejects.toMatchObject({ reason: 'disconnected' });
    expect(NoSuchExportError.name).toBe('NoSuchExportError');
  });
});
