// `x copy` against local contexts through the real binary: files and trees pushed to every target and
// fetched from each (--fetch), the --json fields checked against the bytes on disk, usage errors
// before any target is contacted, and a destination that cannot be written failing with the FileError.
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { useLeakCheck } from '@x/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, x } from './helpers.js';

useLeakCheck();

const scratch = mkdtempSync(join(tmpdir(), 'x-copy-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const source = join(scratch, 'src');
// Several data frames (256 KiB each), not a whole number of them.
const big = randomBytes(1024 * 1024 + 12_345);

beforeAll(() => {
  mkdirSync(join(source, 'tree', 'sub'), { recursive: true });
  writeFileSync(join(source, 'tree', 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o750 });
  writeFileSync(join(source, 'tree', 'sub', 'big.bin'), big);
  symlinkSync('../run.sh', join(source, 'tree', 'sub', 'link'));
  execFileSync('mkfifo', [join(source, 'tree', 'fifo')]);
  writeFileSync(join(source, 'config.json'), '{"a":1}\n', { mode: 0o640 });
});

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A fresh destination directory for one test. */
function destination(name: string): string {
  const path = join(scratch, name);
  mkdirSync(path);
  return path;
}

describe('x copy', () => {
  it('pushes a tree to every target: files with their modes, symlinks as links, special files skipped and named', async () => {
    const out = destination('tree-out');
    const result = await x(['copy', '--on', 'local*2', join(source, 'tree'), join(out, 'app')]);
    expect(result.code).toBe(0);
    const line = `2 files, 2 directories, 1 symlink, 1.0 MiB to ${join(out, 'app')}; skipped 1 special file: ${join(source, 'tree', 'fifo')}`;
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual([`local-1 | ${line}`, `local-2 | ${line}`]);
    expect(result.stderr).toMatch(/^TARGET +STATUS +TIME +RESULT$/m);
    expect(result.stderr).toMatch(/\n2 of 2 targets succeeded in .*\n$/);
    expect(readFileSync(join(out, 'app', 'sub', 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'app', 'run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(statSync(join(out, 'app', 'run.sh')).mode & 0o777).toBe(0o750);
    expect(readlinkSync(join(out, 'app', 'sub', 'link'))).toBe('../run.sh');
    expect(() => lstatSync(join(out, 'app', 'fifo'))).toThrow(/ENOENT/);
    // Both targets wrote the same files side by side: each rename left a whole file and no temporary.
    expect(readdirSync(join(out, 'app', 'sub')).sort()).toEqual(['big.bin', 'link']);
  });

  it('--json gives each file’s destination, bytes and the sha256 the target checked; DEST/ and several SRCs copy into DEST', async () => {
    const out = destination('json-out');
    writeFileSync(join(out, 'config.json'), 'the old content, replaced whole\n');
    const result = await x(['copy', '--on', 'local', '--json', join(source, 'config.json'), join(source, 'tree', 'sub'), `${out}/`]);
    expect(result.code).toBe(0);
    const [line] = jsonLines(result.stdout);
    expect(line).toMatchObject({
      target: 'local',
      ok: true,
      result: {
        files: 2,
        directories: 1,
        symlinks: 1,
        bytes: 8 + big.length,
        skipped: [],
        copies: [
          { source: join(source, 'config.json'), destination: join(out, 'config.json'), bytes: 8, sha256: sha256('{"a":1}\n') },
          { source: join(source, 'tree', 'sub'), destination: join(out, 'sub'), bytes: big.length },
        ],
      },
    });
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe('{"a":1}\n');
    expect(statSync(join(out, 'config.json')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(out, 'sub', 'big.bin')).equals(big)).toBe(true);
  });

  it('a file pushed to a DEST that is a directory fails with EISDIR and says to end DEST with a slash', async () => {
    const out = destination('isdir-out');
    const result = await x(['copy', '--on', 'local', join(source, 'config.json'), out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`local | failed: EISDIR: illegal operation on a directory, open '${out}' (in context local); to copy into that directory, end DEST with a slash: ${out}/ [EISDIR]`);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a destination that cannot be written fails every target with the FileError, its code and path, and exits 1', async () => {
    const blocker = join(destination('blocked-out'), 'file');
    writeFileSync(blocker, 'a file where a directory should be\n');
    const result = await x(['copy', '--on', 'local*2', '--json', join(source, 'config.json'), join(blocker, 'config.json')]);
    expect(result.code).toBe(1);
    const lines = jsonLines(result.stdout);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toMatchObject({ ok: false, error: { name: 'FileError', code: 'ENOTDIR', path: join(blocker, 'config.json'), context: line['target'] } });
    }
    expect(readFileSync(blocker, 'utf8')).toBe('a file where a directory should be\n');
  });

  // root reads any file: the check is for everyone else.
  it.skipIf(process.getuid?.() === 0)('a SRC file that cannot be read is a usage error before any target is contacted', async () => {
    const locked = join(scratch, 'locked.txt');
    writeFileSync(locked, 'secret\n');
    chmodSync(locked, 0);
    const result = await x(['copy', '--on', 'local', locked, '/tmp/x-copy-never']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`x: SRC '${locked}' cannot be read (permission denied) here [EACCES]; no target was contacted.`);
  });

  it('--fetch brings each SRC, file or tree, from every target into DEST/<target name>/, DEST resolved here', async () => {
    const cwd = destination('fetch-cwd');
    const result = await x(['copy', '--on', 'local,local', '--fetch', '--json', join(source, 'config.json'), join(source, 'tree'), 'collected'], { cwd });
    expect(result.code).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((line) => line['target']).sort()).toEqual(['local', 'local#2']);
    for (const line of lines) {
      // Each target gets a directory of its own, named after it.
      const into = join(cwd, 'collected', line['target']);
      expect(line['result']).toMatchObject({
        files: 3,
        directories: 2,
        symlinks: 1,
        skipped: [join(source, 'tree', 'fifo')],
        copies: [
          { source: join(source, 'config.json'), destination: join(into, 'config.json'), bytes: 8, sha256: sha256('{"a":1}\n') },
          { source: join(source, 'tree'), destination: join(into, 'tree'), bytes: big.length + 18 },
        ],
      });
      expect(readFileSync(join(into, 'config.json'), 'utf8')).toBe('{"a":1}\n');
      expect(readFileSync(join(into, 'tree', 'sub', 'big.bin')).equals(big)).toBe(true);
      expect(readlinkSync(join(into, 'tree', 'sub', 'link'))).toBe('../run.sh');
    }
  });

  it('--fetch of a SRC missing on the targets fails each with the FileError naming the path there', async () => {
    const out = destination('fetch-missing');
    const result = await x(['copy', '--on', 'local*2', '--fetch', join(scratch, 'not-there'), out]);
    expect(result.code).toBe(1);
    for (const name of ['local-1', 'local-2']) {
      expect(result.stderr).toContain(`${name} | failed: ENOENT: no such file or directory, open '${join(scratch, 'not-there')}' (in context ${name}) [ENOENT]`);
    }
    expect(result.stderr).toMatch(/\n0 of 2 targets succeeded in .*; not ok: local-1, local-2\n$/);
  });

  it.each([
    [['/etc/hostname', 'relative/dest'], /DEST 'relative\/dest' must be an absolute path/],
    [['--fetch', 'etc/hostname', '/tmp/x-copy-never'], /SRC 'etc\/hostname' must be an absolute path on the targets/],
    [['--fetch', '/etc/hostname', '/etc/hostname'], /DEST '\/etc\/hostname' is not a directory: with --fetch, each target's files go to DEST\/<target name>\//],
    [['FIFO', '/tmp/x-copy-never/'], /SRC '.*fifo' is neither a file nor a directory/],
    [['CONFIG', 'CONFIG', '/tmp/x-copy-never/'], /'.*config\.json' and '.*config\.json' would both be copied to \/tmp\/x-copy-never\/config\.json/],
  ])('x copy %j is a usage error (exit 2) with a message saying what to do', async (args, message) => {
    const paths = args.map((arg) => (arg === 'FIFO' ? join(source, 'tree', 'fifo') : arg === 'CONFIG' ? join(source, 'config.json') : arg));
    const result = await x(['copy', '--on', 'local', ...paths]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/\nusage: x copy --on TARGETS \[OPTIONS\] \[--fetch\] SRC\.\.\. DEST\n$/);
  });
});
