import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, symlink } from '../src/index.js';
import { fingerprint, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('symlink()', () => {
  it('creates a link, then changes nothing, then repoints it atomically', async () => {
    const link = path.join(scratch.dir, 'current');
    expect(await symlink(link, { target: 'releases/1' })).toEqual({ changed: true, actions: ['created'] });
    expect(fs.readlinkSync(link)).toBe('releases/1');
    expect(await symlink(link, { target: 'releases/1' })).toEqual({ changed: false, actions: [] });
    expect(await symlink(link, { target: 'releases/2' })).toEqual({ changed: true, actions: ['target releases/2'] });
    expect(fs.readlinkSync(link)).toBe('releases/2');
    expect(fs.readdirSync(scratch.dir)).toEqual(['current']);
  });

  it('under check mode changes nothing', async () => {
    const link = path.join(scratch.dir, 'current');
    fs.symlinkSync('old', link);
    const before = fingerprint(scratch.dir);
    expect(await apply(() => symlink(link, { target: 'new' }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
    expect(fingerprint(scratch.dir)).toBe(before);
  });

  it('refuses a file or directory at its path', async () => {
    fs.writeFileSync(path.join(scratch.dir, 'data'), 'keep');
    await expect(symlink(path.join(scratch.dir, 'data'), { target: '/' })).rejects.toMatchObject({ code: 'ERR_X_OPS_UNSAFE_PATH' });
    expect(fs.readFileSync(path.join(scratch.dir, 'data'), 'utf8')).toBe('keep');
    await expect(symlink(path.join(scratch.dir, 'x'), { target: '' })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.target' });
  });
});
