import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import type { Context } from '../src/index.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, RemoteError } from '../src/index.js';
import { quietRouter, tasks } from './helpers.js';

useLeakCheck();

const spoof = new URL('./fixtures/spoof.ts', import.meta.url);
const operator = new URL('./fixtures/operator.ts', import.meta.url);
const upward = new URL('./fixtures/upward.ts', import.meta.url);
const ROOT = 0;
const CALL_FUNCTION = 101;
const ADD_ROUTE = 103;
const DEL_ROUTE = 104;
const SHUTDOWN = 106;
const CALL_SERVICE = 113;

/** The key the target context knows `tasks` by (the same content gives the same key everywhere). */
async function tasksKey(ctx: Context): Promise<string> {
  return ctx.call<string>(tasks, 'keyOf');
}

function rememberCall(key: string, value: string): unknown[] {
  return ['m', key, null, 'remember', [value]];
}

describe('authority', () => {
  it('drops frames a child forges with the root as src/auth, and refuses its own calls and shutdowns to a sibling', async () => {
    await using router = quietRouter();
    const attacker = await router.local({ name: 'attacker' });
    const victim = await router.local({ name: 'victim' });
    const key = await tasksKey(victim);
    await attacker.call(spoof, 'forge', { dst: victim.id, src: ROOT, auth: ROOT, handle: CALL_FUNCTION }, rememberCall(key, 'as root'));
    await attacker.call(spoof, 'forge', { dst: victim.id, src: victim.id, auth: ROOT, handle: CALL_FUNCTION }, rememberCall(key, 'as victim'));
    await attacker.call(spoof, 'forge', { dst: victim.id, src: attacker.id, auth: attacker.id, handle: CALL_FUNCTION }, rememberCall(key, 'as itself'));
    await attacker.call(spoof, 'forge', { dst: victim.id, src: ROOT, auth: ROOT, handle: SHUTDOWN }, null);
    await attacker.call(spoof, 'forge', { dst: victim.id, src: attacker.id, auth: attacker.id, handle: SHUTDOWN }, null);
    expect(await victim.call(tasks, 'remembered')).toEqual([]);
    // The same message from the real root is obeyed, so the checks above could have failed.
    await victim.call(tasks, 'remember', 'from root');
    expect(await victim.call(tasks, 'remembered')).toEqual(['from root']);
    expect(victim.isDisconnected).toBe(false);
  });

  it('drops frames a grandchild forges with its parent or the root as auth', async () => {
    await using router = quietRouter();
    const middle = await router.local({ name: 'middle' });
    const attacker = await router.local({ name: 'grandchild', via: middle });
    const victim = await router.local({ name: 'victim' });
    const key = await tasksKey(victim);
    const middleKey = await tasksKey(middle);
    await attacker.call(spoof, 'forge', { dst: victim.id, src: ROOT, auth: ROOT, handle: CALL_FUNCTION }, rememberCall(key, 'as root'));
    await attacker.call(spoof, 'forge', { dst: victim.id, src: middle.id, auth: middle.id, handle: CALL_FUNCTION }, rememberCall(key, 'as middle'));
    await attacker.call(spoof, 'forge', { dst: victim.id, src: attacker.id, auth: attacker.id, handle: CALL_FUNCTION }, rememberCall(key, 'as itself'));
    await attacker.call(spoof, 'forge', { dst: middle.id, src: ROOT, auth: ROOT, handle: CALL_FUNCTION }, rememberCall(middleKey, 'as root'));
    await attacker.call(spoof, 'forge', { dst: middle.id, src: attacker.id, auth: attacker.id, handle: CALL_FUNCTION }, rememberCall(middleKey, 'as child'));
    await attacker.call(spoof, 'forge', { dst: middle.id, src: ROOT, auth: ROOT, handle: SHUTDOWN }, null);
    expect(await victim.call(tasks, 'remembered')).toEqual([]);
    expect(await middle.call(tasks, 'remembered')).toEqual([]);
    await middle.call(tasks, 'remember', 'from root');
    expect(await middle.call(tasks, 'remembered')).toEqual(['from root']);
    expect(middle.isDisconnected).toBe(false);
  });

  it('runs no call in the root: a module the root shipped, asked for by URL or forged by key, is refused', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'hostile' });
    const dir = mkdtempSync(join(tmpdir(), 'x-authority-'));
    const target = join(dir, 'pwned');
    try {
      await ctx.call(operator, 'ship');
      const byUrl = (await ctx.call(upward, 'callModule', operator.href, 'touch', target).catch((error: unknown) => error)) as RemoteError;
      expect(byUrl).toBeInstanceOf(RemoteError);
      expect(byUrl).toMatchObject({ remoteName: 'ChannelError', code: 'ERR_X_REMOTE_CHANNEL' });
      expect(byUrl.message).toMatch(/runs only on an ancestor's request.*expose/);
      // The same, written straight onto the channel: by the key the context knows the module by, and by URL.
      const key = await ctx.call<string>(tasks, 'keyOf');
      await ctx.call(spoof, 'forge', { dst: ROOT, src: ctx.id, auth: ctx.id, handle: CALL_FUNCTION }, ['m', key, null, 'touch', [target]]);
      await ctx.call(spoof, 'forge', { dst: ROOT, src: ctx.id, auth: ctx.id, handle: CALL_FUNCTION }, ['u', operator.href, null, 'touch', [target]]);
      await ctx.call(spoof, 'forge', { dst: ROOT, src: ctx.id, auth: ctx.id, handle: CALL_SERVICE }, ['m', operator.href, null, 'touch', [target]]);
      // Each forged frame was read before this call's answer came back on the same stream.
      expect(await ctx.call(tasks, 'echo', 'still here')).toBe('still here');
      expect(existsSync(target)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets contexts call only what the root exposed, as its policy allows', async () => {
    await using router = quietRouter();
    const allowed = await router.local({ name: 'allowed' });
    const other = await router.local({ name: 'other' });
    const callers: string[] = [];
    const withdraw = router.expose('inventory', { lookup: (key: string) => ({ key, pid: process.pid }) }, { policy: [allowed] });
    router.expose('audit', { record: (what: string) => callers.push(what) }, {
      policy: (caller) => {
        callers.push(`${caller.name}#${caller.id}`);
        return caller.name === 'other';
      },
    });
    expect(await allowed.call(upward, 'callService', 'inventory', 'lookup', 'k')).toEqual({ key: 'k', pid: process.pid });
    const refusals = [
      other.call(upward, 'callService', 'inventory', 'lookup', 'k'),
      allowed.call(upward, 'callService', 'audit', 'record', 'x'),
      allowed.call(upward, 'callService', 'nothing', 'lookup', 'k'),
      ...['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((method) => allowed.call(upward, 'callService', 'inventory', method)),
    ];
    for (const refusal of await Promise.allSettled(refusals)) {
      expect(refusal.status).toBe('rejected');
      const error = (refusal as PromiseRejectedResult).reason as RemoteError;
      expect(error).toMatchObject({ remoteName: 'ChannelError', code: 'ERR_X_REMOTE_CHANNEL' });
      expect(error.message).toMatch(/refused by policy in root/i);
    }
    expect(await other.call(upward, 'callService', 'audit', 'record', 'from other')).toBe(3);
    expect(callers).toEqual([`allowed#${allowed.id}`, `other#${other.id}`, 'from other']);
    withdraw();
    await expect(allowed.call(upward, 'callService', 'inventory', 'lookup', 'k')).rejects.toThrow(/no service 'inventory'/);
  });

  it('refuses a service without a policy, a taken name, or handlers that are not functions', async () => {
    await using router = quietRouter();
    expect(() => router.expose('s', { f: () => 1 }, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => router.expose('s', { f: () => 1 }, { policy: 'everyone' as never })).toThrow(/policy/);
    expect(() => router.expose('s', { f: 1 as never }, { policy: () => true })).toThrow(/handlers\.f/);
    expect(() => router.expose('', { f: () => 1 }, { policy: () => true })).toThrow(InvalidArgumentError);
    router.expose('s', { f: () => 1 }, { policy: () => true });
    expect(() => router.expose('s', { f: () => 2 }, { policy: () => true })).toThrow(/already exposed/);
  });

  it('takes routes only from above: a child and a grandchild forging route messages change nothing', async () => {
    await using router = quietRouter();
    const middle = await router.local({ name: 'middle' });
    const sibling = await router.local({ name: 'sibling', via: middle });
    const attacker = await router.local({ name: 'grandchild', via: middle });
    const middleKey = await tasksKey(middle);
    // Route the root, the middle hop, a sibling and a fresh id down to the attacker; forget the ways up.
    for (const route of [[ROOT], [ROOT, attacker.id], [middle.id, attacker.id], [sibling.id, attacker.id], [99, attacker.id]]) {
      await attacker.call(spoof, 'forge', { dst: middle.id, src: attacker.id, auth: attacker.id, handle: ADD_ROUTE }, route);
      await attacker.call(spoof, 'forge', { dst: ROOT, src: attacker.id, auth: attacker.id, handle: ADD_ROUTE }, route);
    }
    await attacker.call(spoof, 'forge', { dst: middle.id, src: attacker.id, auth: attacker.id, handle: DEL_ROUTE }, [ROOT, middle.id, sibling.id]);
    await middle.call(spoof, 'forge', { dst: ROOT, src: middle.id, auth: middle.id, handle: ADD_ROUTE }, [ROOT, middle.id]);
    // A hop may report the loss of contexts below it (it could end them anyway), never of itself or the root.
    await middle.call(spoof, 'forge', { dst: ROOT, src: middle.id, auth: middle.id, handle: DEL_ROUTE }, [ROOT, middle.id]);
    // Then the frames that rode the old hijack: calls "from the root", arriving from below.
    await attacker.call(spoof, 'forge', { dst: middle.id, src: ROOT, auth: ROOT, handle: CALL_FUNCTION }, rememberCall(middleKey, 'as root'));
    expect(await middle.call(tasks, 'remembered')).toEqual([]);
    expect(await sibling.call(tasks, 'echo', 'sibling')).toBe('sibling');
    expect(await attacker.call(tasks, 'echo', 'attacker')).toBe('attacker');
    await middle.call(tasks, 'remember', 'from root');
    expect(await middle.call(tasks, 'remembered')).toEqual(['from root']);
    expect([middle, sibling, attacker].map((context) => context.isDisconnected)).toEqual([false, false, false]);
  });

  it('routes a chain four deep from the root, each hop told from above', async () => {
    await using router = quietRouter();
    let via: Context | undefined;
    const chain: Context[] = [];
    for (let depth = 1; depth <= 4; depth++) {
      via = await router.local(via === undefined ? { name: `hop${depth}` } : { name: `hop${depth}`, via });
      chain.push(via);
    }
    expect(await Promise.all(chain.map((context) => context.call(tasks, 'names')))).toEqual(
      chain.map((context, index) => ({ current: context.name, currentId: context.id, parentId: index === 0 ? ROOT : chain[index - 1]!.id })),
    );
  });
});
