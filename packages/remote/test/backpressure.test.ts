// Memory stays bounded on every side when a producer outruns its consumer: a command's output streamed
// through a sender as `x exec` does, and frames a hop must forward to a parent that stopped reading.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { ChannelError } from '../src/index.js';
import { quietRouter, tasks } from './helpers.js';

useLeakCheck();

const flood = new URL('./fixtures/flood.ts', import.meta.url);
const spoof = new URL('./fixtures/spoof.ts', import.meta.url);
const MiB = 1024 * 1024;

/** This process's peak resident memory in KiB since the last reset. */
function peakKiB(): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

function resetPeak(): number {
  globalThis.gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  return peakKiB();
}

describe('back-pressure', () => {
  it('streams 200 MiB of command output to a slow consumer with both sides under 100 MiB of growth', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const rx = router.receiver<Uint8Array>();
    const before = resetPeak();
    const streaming = ctx.call<{ bytes: number; growthKiB: number }>(flood, 'streamCommand', `head -c ${200 * MiB} /dev/zero`, rx.sender);
    let received = 0;
    let chunks = 0;
    for await (const chunk of rx) {
      received += chunk.byteLength;
      // A consumer slower than the producer: unbounded, the queue here would hold most of the 200 MiB.
      if (++chunks % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const rootGrowthKiB = peakKiB() - before;
    const { bytes, growthKiB } = await streaming;
    expect(received).toBe(200 * MiB);
    expect(bytes).toBe(200 * MiB);
    // Measured: about 42 MiB each (garbage of 200 MiB passing through); without credit, 160 and 180 MiB.
    expect(growthKiB).toBeLessThan(100 * 1024);
    expect(rootGrowthKiB).toBeLessThan(100 * 1024);
  });

  it('keeps a hop within bounds when its parent stops reading while a child floods through it', async () => {
    await using router = quietRouter();
    const hop = await router.local({ name: 'hop' });
    const leaf = await router.local({ name: 'leaf', via: hop });
    const rx = router.receiver<string>();
    const signal = router.receiver<string>();
    await hop.call(flood, 'resetPeak');
    // 96 MiB of forged values for the root, written by the leaf as fast as the hop takes them.
    const flooding = leaf.call<number>(flood, 'forgeAfterSignal', signal.sender, rx.sender, 384, 256 * 1024);
    await signal.next();
    // The root reads nothing for a while: the hop's stream to it backs up, and the hop must stop
    // reading the leaf rather than hold what the leaf writes.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    expect(await flooding).toBe(384);
    const hopGrowthKiB = (await hop.call<number>(flood, 'peakKiB')) - (await hop.call<number>(flood, 'baseKiB'));
    // Measured: about 35 MiB (garbage of 96 MiB passing through once the root reads); without the pause, 110 MiB.
    expect(hopGrowthKiB).toBeLessThan(64 * 1024);
    expect(await rx.next().catch((error: unknown) => error)).toMatchObject({ reason: 'overflow' });
    signal.close();
  });

  it('stops reading a context that asks and never reads the answers, instead of queueing them', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'asks' });
    const before = resetPeak();
    // Each forged call is refused with a dead reply of about 150 bytes: 400,000 of them would queue 60 MiB here.
    const count = 400_000;
    const taken = await ctx.call<number>(spoof, 'forgeWithoutReading', { dst: 0, src: ctx.id, auth: ctx.id, handle: 101, replyTo: 5000 }, ['m', 'k', null, 'f', []], count, 3000);
    expect(taken).toBeLessThan(count);
    expect(peakKiB() - before).toBeLessThan(32 * 1024);
    expect(await ctx.call(tasks, 'add', 1, 2)).toBe(3);
  });

  it('cuts off a grandchild that stops reading, instead of holding what is sent to it or silencing its hop', async () => {
    await using router = quietRouter({ maxMessageSize: 4 * MiB });
    const hop = await router.local({ name: 'hop' });
    const leaf = await router.local({ name: 'leaf', via: hop });
    const sibling = await router.local({ name: 'sibling', via: hop });
    const dir = mkdtempSync(join(tmpdir(), 'x-remote-stuck-'));
    const wake = join(dir, 'wake');
    try {
      const signal = router.receiver<string>();
      const stuck = leaf.call(flood, 'stopReadingUntil', signal.sender, wake, 60_000).catch((error: unknown) => error);
      await signal.next();
      // 32 MiB of calls for a leaf that reads nothing: more than maxMessageSize + 8 MiB waits at the hop.
      const calls = Array.from({ length: 32 }, () => leaf.call(tasks, 'echo', Buffer.alloc(MiB)).catch((error: unknown) => error));
      for (const outcome of await Promise.all(calls)) {
        expect(outcome).toBeInstanceOf(ChannelError);
        expect(outcome).toMatchObject({ reason: 'disconnected' });
      }
      expect(await stuck).toMatchObject({ reason: 'disconnected' });
      // The hop and the leaf's sibling never stopped answering.
      expect(await hop.call(tasks, 'add', 1, 2)).toBe(3);
      expect(await sibling.call(tasks, 'add', 3, 4)).toBe(7);
      signal.close();
    } finally {
      writeFileSync(wake, '');
      await new Promise((resolve) => setTimeout(resolve, 100));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
