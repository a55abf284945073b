import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../src/index.js';
import { Router } from '../src/index.js';
import { eventually, quietRouter, tasks } from './helpers.js';

useLeakCheck();

function collect(router: Router): LogRecord[] {
  const records: LogRecord[] = [];
  router.onLog((record) => records.push(record));
  return records;
}

const summary = (records: LogRecord[]): string[] => records.map((record) => `${record.stream}/${record.level}: ${record.text}`);

describe('router.onLog()', () => {
  it('turns console, fd 1, fd 2, shell and inherited-stdio output into records and keeps the channel intact', async () => {
    await using router = quietRouter();
    const records = collect(router);
    const ctx = await router.local({ name: 'talker' });
    await ctx.call(tasks, 'output');
    await ctx.call(tasks, 'childInherit');
    const expected = [
      'console/info: console log 1',
      'console/warn: console warn',
      'console/error: console error',
      'stdout/info: stdout write',
      'stderr/warn: stderr write',
      'stdout/info: fd 1 sync',
      'stderr/warn: fd 2 sync',
      'stdout/info: shell output',
      'stderr/warn: shell error',
      'stdout/info: from a grandchild',
    ];
    expect(await eventually(() => expected.every((line) => summary(records).includes(line)))).toBe(true);
    expect(summary(records)).not.toContain('console/debug: console debug');
    for (const record of records) {
      expect(record.context).toBe(ctx);
      expect(record.time).toBeGreaterThan(performance.timeOrigin);
    }
    expect(await ctx.call(tasks, 'add', 2, 2)).toBe(4);
  });

  it('ships console.debug only when the router level allows it, and no console output at silent', async () => {
    await using verbose = quietRouter({ logLevel: 'debug' });
    const loud = collect(verbose);
    const first = await verbose.local();
    await first.call(tasks, 'output');
    expect(await eventually(() => summary(loud).includes('console/debug: console debug'))).toBe(true);

    await using silent = quietRouter({ logLevel: 'silent' });
    const quiet = collect(silent);
    const second = await silent.local();
    await second.call(tasks, 'output');
    expect(await eventually(() => summary(quiet).includes('stdout/info: fd 1 sync'))).toBe(true);
    expect(quiet.filter((record) => record.stream === 'console')).toEqual([]);
  });

  it('keeps calls working while the context floods its stdout', async () => {
    await using router = quietRouter();
    const records = collect(router);
    const ctx = await router.local();
    const flood = ctx.call<number>(tasks, 'shout', 4 << 20);
    const sums = await Promise.all(Array.from({ length: 200 }, (_, index) => ctx.call<number>(tasks, 'add', index, 1)));
    expect(sums).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    const written = await flood;
    expect(await eventually(() => records.length * 100 >= written)).toBe(true);
    expect(records.every((record) => record.text === 'x'.repeat(99))).toBe(true);
  });

  it('prints [name] text on stderr by default, or through a given printer', async () => {
    const printed: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      await using router = new Router();
      const ctx = await router.local({ name: 'printer' });
      await ctx.call(tasks, 'output');
      expect(await eventually(() => printed.includes('[printer] fd 1 sync\n'))).toBe(true);
    } finally {
      process.stderr.write = write;
    }
    const custom: string[] = [];
    await using router = new Router({ logPrinter: (record) => custom.push(`${record.context.name}|${record.text}`) });
    const ctx = await router.local({ name: 'custom' });
    await ctx.call(tasks, 'output');
    expect(await eventually(() => custom.includes('custom|fd 2 sync'))).toBe(true);
    expect(() => router.onLog('no' as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});

const flood = new URL('./fixtures/flood.ts', import.meta.url);
const hereDocker = fileURLToPath(new URL('./fixtures/bin/here-docker', import.meta.url));

/** Counts records of one text and the records a context said it dropped, without keeping them. */
function tally(router: Router, text: string): { seen: number; dropped: number; stdoutChars: number } {
  const counts = { seen: 0, dropped: 0, stdoutChars: 0 };
  router.onLog((record) => {
    if (record.text === text) counts.seen++;
    const dropped = /^(\d+) log records? dropped: /.exec(record.text);
    if (dropped !== null) counts.dropped += Number(dropped[1]);
    if (record.stream === 'stdout') counts.stdoutChars += record.text.length;
  });
  return counts;
}

describe('log floods (hostile or careless contexts)', () => {
  it('drops console records past a backed-up channel and says how many, with bounded memory on the context', async () => {
    await using router = quietRouter();
    const counts = tally(router, 'c'.repeat(500));
    const ctx = await router.local();
    // 300,000 records of 500 characters, about 150 MiB, in one synchronous loop the context cannot pause.
    // Queued whole, they grew it by 420 MiB; dropped past the limit, by about 9 MiB.
    const { written, growthKiB } = await ctx.call<{ written: number; growthKiB: number }>(flood, 'consoleFlood', 300_000, 500);
    expect(written).toBe(300_000);
    expect(growthKiB).toBeLessThan(100 * 1024);
    // Every record either arrived or was counted in a "dropped" notice.
    expect(await eventually(() => counts.seen + counts.dropped === written, 30_000)).toBe(true);
    expect(await ctx.call(tasks, 'add', 1, 1)).toBe(2);
  });

  it('keeps answering calls while a context floods console.log', async () => {
    await using router = quietRouter();
    const counts = tally(router, 'y'.repeat(100));
    const ctx = await router.local();
    const flooding = ctx.call<number>(flood, 'consoleFloodUntilStopped', 100, 500);
    expect(await eventually(() => counts.seen > 0, 30_000)).toBe(true);
    // The flood runs until told to stop, so these are answered while it runs.
    const sums = await Promise.all(Array.from({ length: 200 }, (_, index) => ctx.call<number>(tasks, 'add', index, 1)));
    expect(sums).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
    await ctx.call(flood, 'stopFlood');
    const written = await flooding;
    expect(await eventually(() => counts.seen + counts.dropped === written, 30_000)).toBe(true);
  });

  const starts = {
    'a split context (its supervisor relays fds 1 and 2)': (router: Router) => router.docker({ container: 'here', dockerPath: hereDocker, name: 'split' }),
    'a context started through a hop (the hop reads its pipes)': async (router: Router) => router.local({ name: 'leaf', via: await router.local({ name: 'hop' }) }),
  };
  for (const [how, start] of Object.entries(starts)) {
    it(`slows ${how} writing fast to fd 1 instead of queueing or dropping, and answers calls meanwhile`, async () => {
      await using router = quietRouter();
      const counts = tally(router, '');
      const ctx = await start(router);
      const bytes = 64 * 1024 * 1024;
      const flooding = ctx.call<{ selfKiB: number; parentKiB: number }>(flood, 'fdFlood', bytes);
      expect(await eventually(() => counts.stdoutChars > 0, 30_000)).toBe(true);
      expect(await ctx.call(tasks, 'add', 2, 2)).toBe(4);
      const { selfKiB, parentKiB } = await flooding;
      // Nothing is dropped: the writer waited. Neither the context nor the process reading its fd 1 held
      // the flood (split, without the pause the supervisor grew by 210 MiB; with it, each by about 20 MiB).
      expect(await eventually(() => counts.stdoutChars === bytes, 30_000)).toBe(true);
      expect(counts.dropped).toBe(0);
      expect(selfKiB).toBeLessThan(64 * 1024);
      expect(parentKiB).toBeLessThan(64 * 1024);
    });
  }
});
