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
