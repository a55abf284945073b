// Every kind of message a context can send, forged from a child and from a grandchild, up to the root
// and sideways to a sibling: each is refused or dropped, and the operator's side is unchanged.
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import type { Context, LogRecord } from '../src/index.js';
import { alive, quietRouter, tasks } from './helpers.js';

useLeakCheck();

const spoof = new URL('./fixtures/spoof.ts', import.meta.url);
const ROOT = 0;

/** The fixed handles (handles.ts), and a payload shaped as the real message of each would be. */
function forgeries(victim: Context, sibling: Context, key: string): [handle: number, value: unknown][] {
  return [
    [100, [key, '/etc/passwd']],
    [101, ['m', key, null, 'remember', ['forged call']]],
    [102, Buffer.from('forged log record')],
    [103, [ROOT, victim.id]],
    [104, [ROOT, victim.id, sibling.id]],
    [106, null],
    [108, sibling.id],
    [110, { id: victim.id, parentIds: [victim.id], name: 'forged', maxMessageSize: 1 << 30, logLevel: 'debug', readyHandle: 1 }],
    [111, [{ key, source: 'export function remember() { globalThis.pwned = true; }', deps: [] }]],
    [112, [key]],
    [113, ['s', 'inventory', null, 'lookup', ['k']]],
  ];
}

/** A log record as log-wire.ts lays it out: context id, stream, level, time, text. */
function logRecord(contextId: number, text: string): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt32BE(contextId, 0);
  header[4] = 2;
  header[5] = 3;
  header.writeDoubleBE(Date.now(), 6);
  return Buffer.concat([header, Buffer.from(text)]);
}

describe('a hostile context', () => {
  it('gets nothing from any kind of message, from a child or a grandchild, up to the root or sideways', async () => {
    await using router = quietRouter();
    const logs: LogRecord[] = [];
    router.onLog((record) => logs.push(record));
    const middle = await router.local({ name: 'middle' });
    const child = await router.local({ name: 'child' });
    const grandchild = await router.local({ name: 'grandchild', via: middle });
    const sibling = await router.local({ name: 'sibling', via: middle });
    const looked: string[] = [];
    router.expose('inventory', { lookup: (key: string) => looked.push(key) }, { policy: [] });
    const keys = new Map<Context, string>();
    for (const context of [middle, child, grandchild, sibling]) keys.set(context, await context.call<string>(tasks, 'keyOf'));
    const pids = [middle, child, grandchild, sibling].map((context) => context.pid!);

    for (const attacker of [child, grandchild]) {
      for (const victim of [middle, sibling, child, grandchild].filter((context) => context !== attacker)) {
        for (const [handle, value] of forgeries(victim, sibling, keys.get(victim)!)) {
          for (const dst of [ROOT, victim.id]) {
            // As itself, and claiming the root's or the victim's identity.
            for (const claimed of [attacker.id, ROOT, victim.id]) {
              await attacker.call(spoof, 'forge', { dst, src: claimed, auth: claimed, handle, replyTo: 1000 }, value);
            }
          }
        }
      }
      // Log records in their own layout (log-wire.ts), speaking for other contexts and for the root.
      for (const claimed of [ROOT, middle.id, child.id, sibling.id]) {
        if (claimed === attacker.id) continue;
        await attacker.call(spoof, 'forgeRaw', { dst: ROOT, src: attacker.id, auth: attacker.id, handle: 102 }, 1, logRecord(claimed, `forged for ${claimed}`));
      }
      // Each forged frame was read before this answer came back on the same stream.
      expect(await attacker.call(tasks, 'echo', 'after')).toBe('after');
    }

    for (const context of [middle, child, grandchild, sibling]) {
      expect(await context.call(tasks, 'remembered')).toEqual([]);
      expect(context.isDisconnected).toBe(false);
    }
    expect(pids.every(alive)).toBe(true);
    expect(looked).toEqual([]);
    expect(logs.filter((record) => record.text.includes('forged'))).toEqual([]);
    // The same layout speaking for the sender itself arrives, so the refusals above could have failed.
    await child.call(spoof, 'forgeRaw', { dst: ROOT, src: child.id, auth: child.id, handle: 102 }, 1, logRecord(child.id, 'its own record'));
    expect(await child.call(tasks, 'echo', 'after')).toBe('after');
    expect(logs.filter((record) => record.text === 'its own record').map((record) => record.context.id)).toEqual([child.id]);
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it("cannot answer another context's pending call", async () => {
    await using router = quietRouter();
    const victim = await router.local({ name: 'victim' });
    const attacker = await router.local({ name: 'attacker' });
    await attacker.call(tasks, 'echo', 'warm');
    const pending = victim.call(tasks, 'sleep', 300);
    // The reply handles this router allocates start at 1000: answer all of the first few hundred.
    for (let handle = 1000; handle < 1400; handle += 50) {
      const frames = Array.from({ length: 50 }, (_unused, offset) => [handle + offset, [1, 'forged answer']] as const);
      await attacker.call(spoof, 'forgeMany', frames.map(([replyHandle]) => ({ dst: ROOT, src: attacker.id, auth: attacker.id, handle: replyHandle })), [1, 'forged answer']);
    }
    expect(await pending).toBe('slept');
  });
});
