import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, directory } from '../src/index.js';
import { fingerprint, modeOf, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('directory()', () => {
  it('creates a directory and its parents with the exact mode, whatever the umask, then changes nothing', async () => {
    const target = path.join(scratch.dir, 'srv', 'app');
    expect(await directory(target, { mode: 0o777 })).toEqual({ changed: true, actions: ['created'] });
    expect(modeOf(target)).toBe(0o777);
    expect(await directory(target, { mode: 0o777 })).toEqual({ changed: false, actions: [] });
    expect(await directory(target, { mode: 0o750 })).toEqual({ changed: true, actions: ['mode 0750'] });
    expect(modeOf(target)).toBe(0o750);
  });

  it('with recursive false, fails on a missing parent, in check mode too', async () => {
    const target = path.join(scratch.dir, 'missing', 'app');
    await expect(directory(target, { recursive: false })).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(apply(() => directory(target, { recursive: false }), { check: true })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('under check mode creates nothing', async () => {
    const before = fingerprint(scratch.dir);
    expect(await apply(() => directory(path.join(scratch.dir, 'a', 'b'), { mode: 0o700 }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
    expect(fingerprint(scratch.dir)).toBe(before);
  });

  it('refuses a symlink to a directory at its path and leaves the target alone', async () => {
    const elsewhere = path.join(scratch.dir, 'elsewhere');
    fs.mkdirSync(elsewhere, { mode: 0o700 });
    fs.chmodSync(elsewhere, 0o700);
    fs.symlinkSync(elsewhere, path.join(scratch.dir, 'link'));
    await expect(directory(path.join(scratch.dir, 'link'), { mode: 0o777 })).rejects.toMatchObject({ code: 'ERR_X_OPS_UNSAFE_PATH', path: path.join(scratch.dir, 'link') });
    expect(modeOf(elsewhere)).toBe(0o700);
  });

  it('refuses a file at its path', async () => {
    fs.writeFileSync(path.join(scratch.dir, 'f'), '');
    await expect(directory(path.join(scratch.dir, 'f'))).rejects.toThrow(/it is a file; remove it first with absent\(\)/);
  });
});
