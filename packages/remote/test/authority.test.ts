import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import type { Context } from '../src/index.js';
import { RemoteError } from '../src/index.js';
import { quietRouter, tasks } from './helpers.js';

useLeakCheck();

const spoof = new URL('./fixtures/spoof.ts', import.meta.url);
const service = new URL('./fixtures/service.ts', import.meta.url);
const ROOT = 0;
const CALL_FUNCTION = 101;
const SHUTDOWN = 106;

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

  it('lets a child call into its parent only the modules the parent sent it', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const refused = (await ctx.call(tasks, 'callParent', service.href, 'lookup', 'early').catch((error: unknown) => error)) as RemoteError;
    expect(refused).toBeInstanceOf(RemoteError);
    expect(refused).toMatchObject({ remoteName: 'ChannelError', code: 'ERR_X_REMOTE_CHANNEL' });
    expect(refused.message).toMatch(/refused by policy/i);
    await ctx.call(service, 'lookup', 'ship it');
    expect(await ctx.call(tasks, 'callParent', service.href, 'lookup', 'now')).toEqual({ key: 'now', pid: process.pid });
  });
});
