import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, block } from '../src/index.js';
import { fingerprint, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('block()', () => {
  it('appends the block between markers, replaces it in place when it differs, then changes nothing', async () => {
    const conf = path.join(scratch.dir, 'sshd_config');
    fs.writeFileSync(conf, 'Port 22\n');
    expect(await block(conf, { content: 'PasswordAuthentication no\n' })).toEqual({ changed: true, actions: ['added'] });
    fs.appendFileSync(conf, 'UseDNS no\n');
    expect(await block(conf, { content: 'PasswordAuthentication no\nPermitRootLogin no' })).toEqual({ changed: true, actions: ['replaced'] });
    expect(fs.readFileSync(conf, 'utf8')).toBe(
      'Port 22\n# BEGIN MANAGED BY x\nPasswordAuthentication no\nPermitRootLogin no\n# END MANAGED BY x\nUseDNS no\n',
    );
    expect(await block(conf, { content: 'PasswordAuthentication no\nPermitRootLogin no' })).toEqual({ changed: false, actions: [] });
  });

  it('keeps blocks with other markers apart, and removes one with state absent', async () => {
    const conf = path.join(scratch.dir, 'c');
    fs.writeFileSync(conf, '');
    await block(conf, { content: 'a', marker: '// {mark} one' });
    await block(conf, { content: 'b', marker: '// {mark} two' });
    expect(await block(conf, { content: '', marker: '// {mark} one', state: 'absent' })).toEqual({ changed: true, actions: ['removed'] });
    expect(fs.readFileSync(conf, 'utf8')).toBe('// BEGIN two\nb\n// END two\n');
  });

  it('under check mode changes nothing', async () => {
    const conf = path.join(scratch.dir, 'c');
    fs.writeFileSync(conf, 'x\n');
    const before = fingerprint(scratch.dir);
    expect(await apply(() => block(conf, { content: 'y' }), { check: true })).toEqual({ ok: 0, changed: 1, failed: 0 });
    expect(fingerprint(scratch.dir)).toBe(before);
  });

  it('rejects a marker without {mark}', async () => {
    await expect(block(path.join(scratch.dir, 'c'), { content: '', marker: '# x' })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.marker' });
  });
});
