import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { absent, apply } from '../src/index.js';
import { fingerprint, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('absent()', () => {
  it('removes a file, then finds nothing to do', async () => {
    const target = path.join(scratch.dir, 'f');
    fs.writeFileSync(target, '');
    expect(await absent(target)).toEqual({ changed: true, actions: ['removed'] });
    expect(fs.existsSync(target)).toBe(false);
    expect(await absent(target)).toEqual({ changed: false, actions: [] });
  });

  it('removes a directory tree without following a symlink inside it', async () => {
    const outside = path.join(scratch.dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'keep'), 'keep');
    const tree = path.join(scratch.dir, 'tree');
    fs.mkdirSync(path.join(tree, 'sub'), { recursive: true });
    fs.symlinkSync(outside, path.join(tree, 'sub', 'link'));
    expect(await absent(tree)).toEqual({ changed: true, actions: ['removed directory'] });
    expect(fs.existsSync(tree)).toBe(false);
    expect(fs.readFileSync(path.join(outside, 'keep'), 'utf8')).toBe('keep');
  });

  it('removes a symlink, not its target', async () => {
    fs.writeFileSync(path.join(scratch.dir, 'target'), 'keep');
    fs.symlinkSync(path.join(scratch.dir, 'target'), path.join(scratch.dir, 'link'));
    await absent(path.join(scratch.dir, 'link'));
    expect(fs.readdirSync(scratch.dir)).toEqual(['target']);
  });

  it('under check mode removes nothing', async () => {
    fs.mkdirSync(path.join(scratch.dir, 'd'));
    const before = fingerprint(scratch.dir);
    expect(await apply(() => absent(path.join(scratch.dir, 'd')), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
    expect(fingerprint(scratch.dir)).toBe(before);
  });

  it('refuses / and relative paths', async () => {
    await expect(absent('/')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'path' });
    await expect(absent('//')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'path' });
    await expect(absent('tmp')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'path' });
  });
});
