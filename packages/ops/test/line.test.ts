import * as fs from 'node:fs';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { apply, line, type ResourceEvent } from '../src/index.js';
import { fingerprint, modeOf, useScratch } from './tree.js';

useLeakCheck();
const scratch = useScratch();

describe('line()', () => {
  it('replaces the last matching line, then changes nothing', async () => {
    const hosts = path.join(scratch.dir, 'hosts');
    fs.writeFileSync(hosts, '127.0.0.1 localhost\n10.0.0.4 db\n', { mode: 0o604 });
    expect(await line(hosts, { line: '10.0.0.5 db', match: /\sdb$/ })).toEqual({ changed: true, actions: ['replaced'] });
    expect(fs.readFileSync(hosts, 'utf8')).toBe('127.0.0.1 localhost\n10.0.0.5 db\n');
    expect(modeOf(hosts)).toBe(0o604);
    expect(await line(hosts, { line: '10.0.0.5 db', match: /\sdb$/ })).toEqual({ changed: false, actions: [] });
  });

  it('appends a missing line, to a file without a final newline too', async () => {
    const conf = path.join(scratch.dir, 'conf');
    fs.writeFileSync(conf, 'a=1');
    expect(await line(conf, { line: 'b=2' })).toEqual({ changed: true, actions: ['added'] });
    expect(fs.readFileSync(conf, 'utf8')).toBe('a=1\nb=2\n');
  });

  it('leaves a file without a final newline alone when the line is there', async () => {
    const conf = path.join(scratch.dir, 'conf');
    fs.writeFileSync(conf, 'a=1');
    expect(await line(conf, { line: 'a=1' })).toEqual({ changed: false, actions: [] });
    expect(fs.readFileSync(conf, 'utf8')).toBe('a=1');
  });

  it('removes every matching line with state absent', async () => {
    const conf = path.join(scratch.dir, 'conf');
    fs.writeFileSync(conf, 'x=1\nkeep\nx=2\n');
    expect(await line(conf, { line: '', match: /^x=/g, state: 'absent' })).toEqual({ changed: true, actions: ['removed 2'] });
    expect(fs.readFileSync(conf, 'utf8')).toBe('keep\n');
    expect(await line(conf, { line: '', match: /^x=/, state: 'absent' })).toEqual({ changed: false, actions: [] });
  });

  it('needs create to make a missing file', async () => {
    const conf = path.join(scratch.dir, 'new.conf');
    await expect(line(conf, { line: 'a' })).rejects.toMatchObject({ code: 'ERR_X_OPS_NO_SUCH_FILE', path: conf });
    expect(await line(conf, { line: 'a', state: 'absent' })).toEqual({ changed: false, actions: [] });
    expect(await line(conf, { line: 'a', create: true })).toEqual({ changed: true, actions: ['created', 'added'] });
    expect(fs.readFileSync(conf, 'utf8')).toBe('a\n');
  });

  it('under check mode changes nothing and gives the diff the apply then makes', async () => {
    const hosts = path.join(scratch.dir, 'hosts');
    fs.writeFileSync(hosts, '127.0.0.1 localhost\n');
    const before = fingerprint(scratch.dir);
    const events: ResourceEvent[] = [];
    await apply(() => line(hosts, { line: '10.0.0.5 db' }), { check: true, diff: true, onEvent: (e) => events.push(e) });
    expect(fingerprint(scratch.dir)).toBe(before);
    expect(events[0]!.diff).toEqual({ path: hosts, before: '127.0.0.1 localhost\n', after: '127.0.0.1 localhost\n10.0.0.5 db\n' });
    await line(hosts, { line: '10.0.0.5 db' });
    expect(fs.readFileSync(hosts, 'utf8')).toBe(events[0]!.diff!.after);
  });

  it('refuses a symlink at its path instead of editing its target', async () => {
    const victim = path.join(scratch.dir, 'victim');
    fs.writeFileSync(victim, 'precious\n');
    fs.symlinkSync(victim, path.join(scratch.dir, 'hosts'));
    await expect(line(path.join(scratch.dir, 'hosts'), { line: 'evil', create: true })).rejects.toMatchObject({ code: 'ERR_X_OPS_UNSAFE_PATH' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
  });

  it('rejects a line with a newline and a match that is not a RegExp', async () => {
    const conf = path.join(scratch.dir, 'c');
    await expect(line(conf, { line: 'a\nb' })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.line' });
    await expect(line(conf, { line: 'a', match: 'a' as never })).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG', argument: 'options.match' });
  });
});
