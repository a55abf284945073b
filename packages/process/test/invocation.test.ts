import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Invocation, fsChdir, fsPwd } from '../src/index.js';

describe('Invocation', () => {
  it('describes this process: executable, arguments, the named variables, the directory', () => {
    process.env.X_PROCESS_TEST = 'yes';
    try {
      const invocation = Invocation.system({ environ: ['X_PROCESS_TEST', 'X_PROCESS_ABSENT'] });
      expect(invocation.executable).toBe(process.execPath);
      expect(invocation.argv).toEqual(process.argv);
      expect(invocation.args).toEqual(process.argv.slice(2));
      expect(invocation.environ).toEqual({ X_PROCESS_TEST: 'yes' });
      expect(invocation.directory).toBe(fsPwd());
    } finally {
      delete process.env.X_PROCESS_TEST;
    }
  });

  it('describes a program to start', () => {
    const invocation = new Invocation('ls', ['-l'], { environ: { LANG: 'C' }, directory: '/tmp' });
    expect(invocation.argv).toEqual(['ls', '-l']);
    expect(invocation).toMatchObject({ executable: 'ls', args: ['-l'], environ: { LANG: 'C' }, directory: '/tmp' });
    expect(Object.isFrozen(invocation.args)).toBe(true);
  });

  it('rejects bad arguments with ERR_X_INVALID_ARG', () => {
    expect(() => new Invocation('')).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'executable' }));
    expect(() => Invocation.system({ environ: 'HOME' as never })).toThrow(expect.objectContaining({ argument: 'options.environ' }));
    expect(() => new Invocation('ls').exit(256)).toThrow(expect.objectContaining({ argument: 'status' }));
  });
});

describe('fsPwd() and fsChdir()', () => {
  const saved = { cwd: process.cwd(), pwd: process.env.PWD };
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'x-process-')));
  });
  afterEach(() => {
    process.chdir(saved.cwd);
    if (saved.pwd === undefined) delete process.env.PWD;
    else process.env.PWD = saved.pwd;
    rmSync(dir, { recursive: true });
  });

  it('keeps PWD and the working directory in step, keeping the name of a link', () => {
    symlinkSync(dir, join(dir, 'link'));
    process.env.PWD = dir;
    process.chdir(dir);
    expect(fsChdir('link')).toBe(join(dir, 'link'));
    expect(fsPwd()).toBe(join(dir, 'link'));
    expect(process.env.PWD).toBe(join(dir, 'link'));
    expect(process.cwd()).toBe(dir); // the kernel's view resolves the link
  });

  it('falls back to process.cwd() when PWD is empty', () => {
    process.env.PWD = '';
    expect(fsPwd()).toBe(process.cwd());
  });

  it('leaves PWD alone when the directory does not exist', () => {
    process.env.PWD = dir;
    process.chdir(dir);
    expect(() => fsChdir('missing')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(process.env.PWD).toBe(dir);
  });
});
