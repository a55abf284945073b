// `x copy` against local contexts through the real binary: files and trees pushed to every target and
// fetched from each (--fetch), the --json fields checked against the bytes on disk, usage errors
// before any target is contacted, and a destination that cannot be written failing with the FileError.
import { randomBytes } from 'node:crypto';
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
    // Both write the same files: a target that checks a file after the other wrote it finds it unchanged.
    const rest = `, 2 directories, 1 symlink, 1.0 MiB to ${join(out, 'app')}; skipped 1 special file: ${join(source, 'tree', 'fifo')}`;
    const lines = result.stdout.split('\n').filter(Boolean).sort();
    expect(lines.map((line) => line.replace(/\(\d changed, \d unchanged\)|\(\d (?:un)?changed\)/, '(counts)'))).toEqual([`local-1 | 2 files (counts)${rest}`, `local-2 | 2 files (counts)${rest}`]);
    const changed = lines.map((line) => Number(/(\d) changed/.exec(line)?.[1] ?? 0));
    const unchanged = lines.map((line) => Number(/(\d) unchanged/.exec(line)?.[1] ?? 0));
    expect(changed.map((n, i) => n + unchanged[i]!)).toEqual([2, 2]);
    // Every file was written by one target at least: none was there before.
    expect(changed[0]! + changed[1]!).toBeGreaterThanOrEqual(2);
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

  it('--json gives each file’s destination, bytes and the checksum the target checked; DEST/ and several SRCs copy into DEST', async () => {
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
        changed: 2,
        unchanged: 0,
        deleted: 0,
        directories: 1,
        symlinks: 1,
        bytes: 8 + big.length,
        skipped: [],
        copies: [
          { source: join(source, 'config.json'), destination: join(out, 'config.json'), bytes: 8, changed: 1, unchanged: 0, checksum: 'xxh128', digest: expect.stringMatching(/^[0-9a-f]{32}$/) },
          { source: join(source, 'tree', 'sub'), destination: join(out, 'sub'), bytes: big.length, changed: 1, unchanged: 0 },
        ],
      },
    });
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe('{"a":1}\n');
    // The replaced file kept its own mode; the new one got the source's.
    expect(statSync(join(out, 'config.json')).mode & 0o777).toBe(0o666 & ~process.umask());
    expect(statSync(join(out, 'sub', 'big.bin')).mode & 0o777).toBe(statSync(join(source, 'tree', 'sub', 'big.bin')).mode & 0o777);
    expect(readFileSync(join(out, 'sub', 'big.bin')).equals(big)).toBe(true);
  });

  it('is idempotent: a second copy leaves every file alone and says so, per target and in --json', async () => {
    const out = destination('again-out');
    const args = ['copy', '--on', 'local*2', join(source, 'config.json'), join(source, 'tree'), `${out}/`];
    expect((await x(args)).code).toBe(0);
    const inode = statSync(join(out, 'tree', 'sub', 'big.bin')).ino;
    const again = await x(args);
    expect(again.code).toBe(0);
    const line = `3 files (3 unchanged), 2 directories, 1 symlink, 1.0 MiB to ${out}/; skipped 1 special file: ${join(source, 'tree', 'fifo')}`;
    expect(again.stdout.split('\n').filter(Boolean).sort()).toEqual([`local-1 | ${line}`, `local-2 | ${line}`]);
    expect(statSync(join(out, 'tree', 'sub', 'big.bin')).ino).toBe(inode);
    writeFileSync(join(out, 'config.json'), '{"a":2}\n');
    const [json] = jsonLines((await x(['copy', '--on', 'local', '--json', ...args.slice(3)])).stdout);
    expect(json).toMatchObject({ ok: true, result: { files: 3, changed: 1, unchanged: 2 } });
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe('{"a":1}\n');
  });

  it('copies a file and a tree into a DEST/ that is not there yet, in either order, options anywhere; missing parents get the umask, not 0700', async () => {
    const out = destination('order-out');
    for (const [name, args] of [
      ['a', [join(source, 'config.json'), join(source, 'tree'), `${join(out, 'a', 'opt', 'xtest')}/`, '--on', 'local']],
      ['b', ['--on', 'local', join(source, 'tree'), '-q', join(source, 'config.json'), `${join(out, 'b', 'opt', 'xtest')}/`]],
    ] as const) {
      const result = await x(['copy', ...args]);
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(join(out, name, 'opt', 'xtest', 'config.json'), 'utf8')).toBe('{"a":1}\n');
      expect(readFileSync(join(out, name, 'opt', 'xtest', 'tree', 'sub', 'big.bin')).equals(big)).toBe(true);
      for (const made of [join(out, name), join(out, name, 'opt'), join(out, name, 'opt', 'xtest')]) {
        expect(statSync(made).mode & 0o7777, made).toBe(0o777 & ~process.umask());
      }
    }
    // A tree's own missing parents, too.
    expect((await x(['copy', '--on', 'local', join(source, 'tree'), join(out, 'c', 'opt', 'app')])).code).toBe(0);
    expect(statSync(join(out, 'c', 'opt')).mode & 0o7777).toBe(0o777 & ~process.umask());
  });

  it('--delete removes what a tree SRC lacks from its destination, counted per target', async () => {
    const out = destination('delete-out');
    const app = join(out, 'app');
    expect((await x(['copy', '--on', 'local', join(source, 'tree'), app])).code).toBe(0);
    mkdirSync(join(app, 'old', 'deeper'), { recursive: true });
    writeFileSync(join(app, 'old', 'deeper', 'file'), 'stale');
    writeFileSync(join(app, 'sub', 'stale.txt'), 'stale');
    const result = await x(['copy', '--on', 'local', '--delete', '--json', join(source, 'tree'), app]);
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)[0]).toMatchObject({ ok: true, result: { deleted: 4, unchanged: 2, changed: 0 } });
    expect(readdirSync(app).sort()).toEqual(['run.sh', 'sub']);
    expect(readdirSync(join(app, 'sub')).sort()).toEqual(['big.bin', 'link']);
    const plain = await x(['copy', '--on', 'local', '--delete', join(source, 'tree'), app]);
    expect(plain.stdout).toBe(`local | 2 files (2 unchanged), 2 directories, 1 symlink, 1.0 MiB, 0 deleted to ${app}; skipped 1 special file: ${join(source, 'tree', 'fifo')}\n`);
  });

  it('--owner gives the written files an owner by name, resolved on the target; a name it lacks fails that target', async () => {
    const out = destination('owner-out');
    const unknown = await x(['copy', '--on', 'local', '--owner', 'no-such-user-x', join(source, 'config.json'), join(out, 'config.json')]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("there is no user 'no-such-user-x' on this target");
    if (process.getuid?.() !== 0) return;
    const result = await x(['copy', '--on', 'local', '--owner', 'nobody:nogroup', join(source, 'config.json'), join(source, 'tree'), `${out}/`]);
    expect(result.code, result.stderr).toBe(0);
    const nobody = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }));
    const nogroup = Number(execFileSync('getent', ['group', 'nogroup'], { encoding: 'utf8' }).split(':')[2]);
    for (const file of [join(out, 'config.json'), join(out, 'tree', 'sub', 'big.bin')]) {
      expect(statSync(file)).toMatchObject({ uid: nobody, gid: nogroup });
    }
    // Replaced without --owner: the file keeps the owner it had.
    writeFileSync(join(source, 'owned.txt'), 'new');
    writeFileSync(join(out, 'owned.txt'), 'old');
    execFileSync('chown', ['nobody:nogroup', join(out, 'owned.txt')]);
    expect((await x(['copy', '--on', 'local', join(source, 'owned.txt'), `${out}/`])).code).toBe(0);
    expect(statSync(join(out, 'owned.txt'))).toMatchObject({ uid: nobody, gid: nogroup });
    expect(readFileSync(join(out, 'owned.txt'), 'utf8')).toBe('new');
  });

  it('a file pushed to a DEST that is a directory fails with EISDIR and says to end DEST with a slash', async () => {
    const out = destination('isdir-out');
    const result = await x(['copy', '--on', 'local', join(source, 'config.json'), out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^local \| failed: /m);
    expect(result.stderr).toContain(`EISDIR: illegal operation on a directory, open '${out}' (in context local); to copy into that directory, end DEST with a slash: ${out}/`);
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
          { source: join(source, 'config.json'), destination: join(into, 'config.json'), bytes: 8, checksum: 'xxh128', digest: expect.stringMatching(/^[0-9a-f]{32}$/) },
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
      expect(result.stderr).toMatch(new RegExp(`^${name} \\| failed: `, 'm'));
      expect(result.stderr).toContain(`ENOENT: no such file or directory, open '${join(scratch, 'not-there')}' (in context ${name})`);
    }
    expect(result.stderr).toMatch(/\n0 of 2 targets succeeded in .*; not ok: local-1, local-2\n$/);
  });

  it.each([
    [['/etc/hostname', 'relative/dest'], /DEST 'relative\/dest' must be an absolute path/],
    [['--fetch', 'etc/hostname', '/tmp/x-copy-never'], /SRC 'etc\/hostname' must be an absolute path on the targets/],
    [['--fetch', '/etc/hostname', '/etc/hostname'], /DEST '\/etc\/hostname' is not a directory: with --fetch, each target's files go to DEST\/<target name>\//],
    [['FIFO', '/tmp/x-copy-never/'], /SRC '.*fifo' is neither a file nor a directory/],
    [['--owner', 'a:b:c', 'CONFIG', '/tmp/x-copy-never/'], /--owner takes USER, USER:GROUP or :GROUP/],
    [['--owner', 'root', '--fetch', '/etc/hostname', '/tmp/x-copy-never/'], /--owner is for pushing/],
    [['--delete', 'TREE', '/.'], /--delete would remove everything in \/ that/],
    [['CONFIG', 'CONFIG', '/tmp/x-copy-never/'], /'.*config\.json' and '.*config\.json' would both be copied to \/tmp\/x-copy-never\/config\.json/],
  ])('x copy %j is a usage error (exit 2) with a message saying what to do', async (args, message) => {
    const paths = args.map((arg) => (arg === 'FIFO' ? join(source, 'tree', 'fifo') : arg === 'TREE' ? join(source, 'tree') : arg === 'CONFIG' ? join(source, 'config.json') : arg));
    const result = await x(['copy', '--on', 'local', ...paths]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/\nusage: x copy --on TARGETS \[OPTIONS\] \[--fetch\] SRC\.\.\. DEST\n$/);
  });
});
