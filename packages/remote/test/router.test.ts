import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { quietRouter, tasks } from './helpers.js';

useLeakCheck();

describe('Router', () => {
  it('starts a dozen contexts at once without a "possible leak" warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      await using router = quietRouter();
      const contexts = await Promise.all(Array.from({ length: 12 }, (_, index) => router.local({ name: `many.${index}` })));
      expect(new Set(contexts.map((context) => context.pid)).size).toBe(12);
    } finally {
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});

describe('router.preload()', () => {
  it('builds a graph before any context is up: a call then runs the module, and one that does not parse fails both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-remote-preload-'));
    try {
      const good = pathToFileURL(join(dir, 'good.ts'));
      const bad = pathToFileURL(join(dir, 'bad.ts'));
      writeFileSync(good, 'export const twice = (n: number): number => n * 2;\n');
      writeFileSync(bad, 'export const broken = (;\n');
      await using router = quietRouter();
      await router.preload(good);
      await expect(router.preload(bad)).rejects.toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SYNTAX' });
      const context = await router.local();
      expect(await context.call(good, 'twice', 21)).toBe(42);
      await expect(context.call(bad, 'broken')).rejects.toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SYNTAX' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects what is not a file URL or an absolute path', async () => {
    await using router = quietRouter();
    await expect(router.preload('relative/tasks.ts')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
  });

  it('in flight, is finished by close() before it stops esbuild: no process outlives the router', async () => {
    const router = quietRouter();
    const preloading = router.preload(tasks);
    await router.close();
    await expect(preloading).resolves.toBeUndefined();
  });
});
