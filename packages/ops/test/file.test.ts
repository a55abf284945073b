import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, file, type ResourceEvent } from '../src/index.js';
import { fingerprint, modeOf, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('file()', () => {
  it('creates a file with the content and mode, and a second run changes nothing', async () => {
    const target = path.join(scratch.dir, 'config.json');
    const first = await file(target, { content: '{"port":8080}\n', mode: 0o640 });
    expect(first).toEqual({ changed: true, actions: ['created'] });
    expect(fs.readFileSync(target, 'utf8')).toBe('{"port":8080}\n');
    expect(modeOf(target)).toBe(0o640);
    expect(await file(target, { content: '{"port":8080}\n', mode: 0o640 })).toEqual({ changed: false, actions: [] });
  });

  it('replaces different content keeping the mode, and changes only the mode when only it differs', async () => {
    const target = path.join(scratch.dir, 'a.txt');
    fs.writeFileSync(target, 'old\n', { mode: 0o600 });
    expect(await file(target, { content: 'new\n' })).toEqual({ changed: true, actions: ['content'] });
    expect(modeOf(target)).toBe(0o600);
    const inode = fs.statSync(target).ino;
    expect(await file(target, { content: 'new\n', mode: 0o644 })).toEqual({ changed: true, actions: ['mode 0644'] });
    expect(fs.statSync(target).ino).toBe(inode);
    expect(modeOf(target)).toBe(0o644);
  });

  it('takes content from a Buffer or a function of the facts', async () => {
    const target = path.join(scratch.dir, 'host');
    await file(target, { content: (f) => `${f.hostname}\n` });
    expect(fs.readFileSync(target, 'utf8')).toBe(`${(await import('node:os')).hostname()}\n`);
    await file(target, { content: Buffer.from([0, 1, 2]) });
    expect(fs.readFileSync(target)).toEqual(Buffer.from([0, 1, 2]));
  });

  it('under check mode changes nothing on disk and reports what the apply then changes', async () => {
    const target = path.join(scratch.dir, 'a.txt');
    fs.writeFileSync(target, 'old\n', { mode: 0o600 });
    const before = fingerprint(scratch.dir);
    const events: ResourceEvent[] = [];
    const site = async (): Promise<void> => {
      await file(target, { content: 'new\n', mode: 0o644 });
      await file(path.join(scratch.dir, 'b.txt'), { content: 'b\n' });
    };
    expect(await apply(site, { check: true, diff: true, onEvent: (e) => events.push(e) })).toEqual({ ok: 0, changed: 2, failed: 0 });
    expect(fingerprint(scratch.dir)).toBe(before);
    expect(events.map((e) => [e.status, e.name, e.actions])).toEqual([
      ['changed', target, ['content', 'mode 0644']],
      ['changed', path.join(scratch.dir, 'b.txt'), ['created']],
    ]);
    expect(events[0]!.diff).toEqual({ path: target, before: 'old\n', after: 'new\n' });
    expect(events[1]!.diff).toEqual({ path: path.join(scratch.dir, 'b.txt'), before: '', after: 'b\n' });
    expect(await apply(site)).toEqual({ ok: 0, changed: 2, failed: 0 });
    expect(await apply(site, { check: true })).toEqual({ ok: 2, changed: 0, failed: 0 });
  });

  it('keeps the old content beside the file with backup', async () => {
    const target = path.join(scratch.dir, 'a.conf');
    fs.writeFileSync(target, 'old\n', { mode: 0o604 });
    const result = await file(target, { content: 'new\n', backup: true });
    expect(result.backup).toMatch(/a\.conf\.\d{8}T\d{6}~$/);
    expect(fs.readFileSync(result.backup!, 'utf8')).toBe('old\n');
    expect(modeOf(result.backup!)).toBe(0o604);
    expect((await file(target, { content: 'new\n', backup: true })).backup).toBeUndefined();
  });

  it('replaces a symlink planted at its path, never writing through it', async () => {
    const victim = path.join(scratch.dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    const target = path.join(scratch.dir, 'app.conf');
    fs.symlinkSync(victim, target);
    expect(await file(target, { content: 'mine\n', mode: 0o600 })).toEqual({ changed: true, actions: ['replaced symlink'] });
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(fs.lstatSync(target).isFile()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe('mine\n');
  });

  it('refuses a directory or a FIFO at its path', async () => {
    fs.mkdirSync(path.join(scratch.dir, 'd'));
    await expect(file(path.join(scratch.dir, 'd'), { content: 'x' })).rejects.toMatchObject({ code: 'ERR_X_OPS_UNSAFE_PATH' });
    const fifo = path.join(scratch.dir, 'fifo');
    (await import('node:child_process')).execFileSync('mkfifo', [fifo]);
    await expect(file(fifo, { content: 'x' })).rejects.toMatchObject({ code: 'ERR_X_OPS_UNSAFE_PATH' });
  });

  it('leaves no temporary behind', async () => {
    await file(path.join(scratch.dir, 'a'), { content: 'a' });
    await file(path.join(scratch.dir, 'a'), { content: 'b' });
    expect(fs.readdirSync(scratch.dir)).toEqual(['a']);
  });

  it('rejects wrong options before touching anything, naming the option', async () => {
    const target = path.join(scratch.dir, 'a');
    await expect(file('relative', { content: '' })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'path' });
    await expect(file(target, { content: 5 as never })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.content' });
    await expect(file(target, { content: '', mode: 0o10000 })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.mode' });
    await expect(file(target, { content: '', owner: 'no-such-user-x' })).rejects.toMatchObject({ code: 'ERR_X_OPS_NO_SUCH_USER', user: 'no-such-user-x' });
    await expect(file(target, { content: '', group: 'no-such-group-x' })).rejects.toMatchObject({ code: 'ERR_X_OPS_NO_SUCH_GROUP', group: 'no-such-group-x' });
    expect(fs.existsSync(target)).toBe(false);
  });
});
