import * as fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, ApplyRunningError, command, directory, facts, file, isCheckMode, line, type ResourceEvent } from '../src/index.js';
import { useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('apply()', () => {
  it('reports one event per resource as it completes, and the counts', async () => {
    const events: ResourceEvent[] = [];
    const site = async (): Promise<void> => {
      await directory(path.join(scratch.dir, 'app'));
      const conf = await file(path.join(scratch.dir, 'app', 'conf'), { content: 'a\n' });
      if (conf.changed) await command('true');
    };
    expect(await apply(site, { onEvent: (e) => events.push(e) })).toEqual({ ok: 0, changed: 3, failed: 0 });
    expect(events.map((e) => `${e.status} ${e.resource} ${e.name}`)).toEqual([
      `changed directory ${path.join(scratch.dir, 'app')}`,
      `changed file ${path.join(scratch.dir, 'app', 'conf')}`,
      'changed command true',
    ]);
    for (const event of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
    events.length = 0;
    expect(await apply(site, { onEvent: (e) => events.push(e) })).toEqual({ ok: 2, changed: 0, failed: 0 });
    expect(events.map((e) => e.status)).toEqual(['ok', 'ok']);
  });

  it('stops the site at a failing resource, after reporting it failed', async () => {
    const events: ResourceEvent[] = [];
    const after = path.join(scratch.dir, 'after');
    const site = async (): Promise<void> => {
      await file(path.join(scratch.dir, 'before'), { content: '' });
      await line(path.join(scratch.dir, 'missing'), { line: 'x' });
      await file(after, { content: '' });
    };
    await expect(apply(site, { onEvent: (e) => events.push(e) })).rejects.toMatchObject({ code: 'ERR_X_OPS_NO_SUCH_FILE' });
    expect(events.map((e) => e.status)).toEqual(['changed', 'failed']);
    expect(events[1]).toMatchObject({ resource: 'line', changed: false, actions: [], error: { name: 'NoSuchFileError', code: 'ERR_X_OPS_NO_SUCH_FILE' } });
    expect(fs.existsSync(after)).toBe(false);
  });

  it('reports nothing for resources called outside it, which apply for real', async () => {
    expect(isCheckMode()).toBe(false);
    await file(path.join(scratch.dir, 'f'), { content: 'x' });
    expect(fs.readFileSync(path.join(scratch.dir, 'f'), 'utf8')).toBe('x');
  });

  it('refuses a second apply while one runs, leaving the first and later ones whole', async () => {
    let second: Promise<unknown> | undefined;
    const seen: boolean[] = [];
    const first = apply(async () => {
      second = apply(async () => seen.push(isCheckMode()));
      second.catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 5));
      seen.push(isCheckMode());
      await file(path.join(scratch.dir, 'h'), { content: 'x' });
    }, { check: true });
    expect(await first).toEqual({ ok: 0, changed: 1, failed: 0 });
    await expect(second).rejects.toSatisfy((error) => error instanceof ApplyRunningError && (error as ApplyRunningError).code === 'ERR_X_OPS_APPLY_RUNNING');
    expect(seen).toEqual([true]);
    expect(fs.existsSync(path.join(scratch.dir, 'h'))).toBe(false);
    // The first one's end (or failure) lets the next run.
    await expect(apply(() => { throw new Error('site broke'); })).rejects.toThrow('site broke');
    expect(await apply(async () => isCheckMode(), { check: true })).toEqual({ ok: 0, changed: 0, failed: 0 });
    expect(isCheckMode()).toBe(false);
  });

  it('shares its run with another loaded copy of @x/ops', async () => {
    const built = path.join(import.meta.dirname, '..', 'dist', 'index.js');
    expect(fs.existsSync(built), 'build @x/ops first (pnpm --filter @x/ops build)').toBe(true);
    const copy = (await import(pathToFileURL(built).href)) as typeof import('../src/index.js');
    expect(copy.file).not.toBe(file);
    const events: ResourceEvent[] = [];
    await apply(async () => {
      expect(copy.isCheckMode()).toBe(true);
      await copy.file(path.join(scratch.dir, 'g'), { content: 'x' });
    }, { check: true, onEvent: (e) => events.push(e) });
    expect(events.map((e) => e.status)).toEqual(['changed']);
    expect(fs.existsSync(path.join(scratch.dir, 'g'))).toBe(false);
  });
});

describe('facts()', () => {
  it('describes the host, gathered once per apply', async () => {
    const f = await facts();
    expect(f.hostname).toBe((await import('node:os')).hostname());
    expect(f.packageManager).toBe(fs.existsSync('/usr/bin/apt-get') ? 'apt' : expect.any(String));
    expect(f.osId).not.toBe('');
    expect(f.node).toBe(process.version);
    expect(await facts()).toBe(f);
    await apply(async () => {
      const inRun = await facts();
      expect(inRun).not.toBe(f);
      expect(await facts()).toBe(inRun);
    });
  });
});
