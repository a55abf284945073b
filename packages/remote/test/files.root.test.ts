import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { createUser, skipPrivileged, startSshd } from '@x/test-env/sshd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileError } from '../src/index.js';
import { quietRouter } from './helpers.js';

useLeakCheck();

const MiB = 1 << 20;
const skipFullDisk = skipPrivileged('the full-disk test', process.getuid?.() === 0 ? undefined : 'mounting a small tmpfs needs root');
const skip = skipPrivileged('file transfers over ssh');

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe.skipIf(skipFullDisk)('a full disk', () => {
  let mount: string;
  beforeAll(() => {
    mount = fs.mkdtempSync(join(tmpdir(), 'x-files-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mount]);
  });
  afterAll(() => {
    execFileSync('umount', [mount]);
    fs.rmSync(mount, { recursive: true, force: true });
  });

  it('ENOSPC arrives as a FileError naming the remote path; the old file stays and no temporary is left', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'full' });
    const target = join(mount, 'target');
    fs.writeFileSync(target, 'old');
    const source = join(tmpdir(), `x-files-big-${process.pid}`);
    fs.writeFileSync(source, randomBytes(16 * MiB));
    try {
      const error = await ctx.pushFile(source, target).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FileError);
      expect(error).toMatchObject({ code: 'ENOSPC', syscall: 'write', path: target, context: 'full' });
      expect(fs.readFileSync(target, 'utf8')).toBe('old');
      expect(fs.readdirSync(mount)).toEqual(['target']);
      // And towards this side: a fetch into the full disk fails with this process's ENOSPC.
      const fetched = await ctx.fetchFile(source, join(mount, 'fetched')).catch((caught: unknown) => caught);
      expect(fetched).toMatchObject({ name: 'FileError', code: 'ENOSPC', path: source, context: 'root' });
      expect(fs.readdirSync(mount)).toEqual(['target']);
      expect(await ctx.call(new URL('./fixtures/tasks.ts', import.meta.url), 'add', 1, 2)).toBe(3);
    } finally {
      fs.rmSync(source, { force: true });
    }
  });
});

describe.skipIf(skip)('over ssh, and through sudo via ssh', () => {
  let sshd: Awaited<ReturnType<typeof startSshd>>;
  let user: { remove: () => void };
  let dir: string;
  beforeAll(async () => {
    sshd = await startSshd();
    user = createUser('xrfiles', { sudo: 'nopasswd' });
    dir = fs.mkdtempSync(join(tmpdir(), 'x-files-ssh-'));
    fs.chmodSync(dir, 0o777);
  });
  afterAll(async () => {
    user?.remove();
    await sshd?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pushes and fetches intact over ssh and through ssh then sudo, owned by who wrote them', async () => {
    await using router = quietRouter();
    const ssh = await router.ssh({
      hostname: '127.0.0.1',
      port: sshd.port,
      username: 'xrfiles',
      identityFile: sshd.clientKey,
      sshArgs: ['-F', '/dev/null', '-o', `UserKnownHostsFile=${sshd.knownHosts}`],
      nodePath: process.execPath,
      connectTimeoutMs: 20_000,
    });
    const root = await router.sudo({ username: 'root', nodePath: process.execPath, via: ssh });
    const data = randomBytes(9 * MiB + 7);
    const source = join(dir, 'source');
    fs.writeFileSync(source, data);
    fs.chmodSync(source, 0o644);
    const uid = Number(execFileSync('id', ['-u', 'xrfiles'], { encoding: 'utf8' }));

    expect((await ssh.pushFile(source, join(dir, 'by-ssh'), { checksum: 'sha256' })).digest).toBe(sha256(data));
    expect(fs.statSync(join(dir, 'by-ssh')).uid).toBe(uid);
    expect((await root.pushFile(source, join(dir, 'by-sudo'), { owner: { uid: 0, gid: 0 }, checksum: 'sha256' })).digest).toBe(sha256(data));
    expect(fs.statSync(join(dir, 'by-sudo')).uid).toBe(0);
    expect(fs.readFileSync(join(dir, 'by-sudo')).equals(data)).toBe(true);

    await ssh.fetchFile(join(dir, 'by-sudo'), join(dir, 'back-ssh'));
    await root.fetchFile(join(dir, 'by-ssh'), join(dir, 'back-sudo'));
    expect(fs.readFileSync(join(dir, 'back-ssh')).equals(data)).toBe(true);
    expect(fs.readFileSync(join(dir, 'back-sudo')).equals(data)).toBe(true);

    // The unprivileged account cannot write where only root may.
    fs.mkdirSync(join(dir, 'private'), { mode: 0o700 });
    await expect(ssh.pushFile(source, join(dir, 'private', 'f'))).rejects.toMatchObject({ name: 'FileError', code: 'EACCES', path: join(dir, 'private', 'f') });
    await root.pushFile(source, join(dir, 'private', 'f'));
    expect(fs.readFileSync(join(dir, 'private', 'f')).equals(data)).toBe(true);

    // A file root replaces keeps its owner and mode unless told; one the unprivileged account
    // replaces becomes its own (it may not give it away), with the old mode.
    const gid = Number(execFileSync('id', ['-g', 'xrfiles'], { encoding: 'utf8' }));
    fs.writeFileSync(join(dir, 'theirs'), 'old');
    fs.chownSync(join(dir, 'theirs'), uid, gid);
    fs.chmodSync(join(dir, 'theirs'), 0o640);
    await root.pushFile(source, join(dir, 'theirs'));
    expect(fs.statSync(join(dir, 'theirs'))).toMatchObject({ uid, gid, mode: 0o100640 });
    await root.pushFile(source, join(dir, 'theirs'), { owner: { uid: 0 }, mode: 0o600 });
    expect(fs.statSync(join(dir, 'theirs'))).toMatchObject({ uid: 0, gid, mode: 0o100600 });
    fs.chmodSync(join(dir, 'theirs'), 0o644);
    await ssh.pushFile(source, join(dir, 'theirs'));
    expect(fs.statSync(join(dir, 'theirs'))).toMatchObject({ uid, mode: 0o100644 });
  }, 60_000);
});

describe.skipIf(skipPrivileged('the planted-symlink test under sudo'))('a destination tree owned by someone else, under sudo', () => {
  it('pushDirectory through router.sudo() writes nothing through a symlink the tree\'s owner planted', async () => {
    await using router = quietRouter();
    const root = await router.sudo({ username: 'root', nodePath: process.execPath });
    const base = fs.mkdtempSync(join(tmpdir(), 'x-files-planted-'));
    try {
      fs.chmodSync(base, 0o755);
      // The operator's file: root's alone.
      const secrets = join(base, 'secrets');
      fs.mkdirSync(secrets, { mode: 0o700 });
      fs.writeFileSync(join(secrets, 'shadow'), 'root only', { mode: 0o600 });
      const before = fs.readdirSync(secrets).map((name) => [name, fs.readFileSync(join(secrets, name), 'utf8'), fs.statSync(join(secrets, name)).mode]);
      const secretsMode = fs.statSync(secrets).mode;
      // The tree an unprivileged account owns, where it plants its links (as itself: nobody, 65534).
      const dest = join(base, 'dest');
      fs.mkdirSync(dest, { mode: 0o755 });
      fs.chownSync(dest, 65534, 65534);
      const asNobody = { uid: 65534, gid: 65534 };
      execFileSync('ln', ['-s', secrets, join(dest, 'conf.d')], asNobody);
      execFileSync('ln', ['-s', join(secrets, 'shadow'), join(dest, 'app.conf')], asNobody);
      // What root pushes there.
      const tree = join(base, 'tree');
      fs.mkdirSync(join(tree, 'conf.d'), { recursive: true });
      fs.writeFileSync(join(tree, 'conf.d', 'shadow'), 'attacker wins');
      fs.writeFileSync(join(tree, 'app.conf'), 'settings');

      const error = await root.pushDirectory(tree, dest).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FileError);
      expect(error).toMatchObject({ code: 'ERR_X_REMOTE_UNSAFE_PATH', context: root.name });
      expect((error as Error).message).toContain(`'${join(dest, 'conf.d')}' is a symlink this transfer did not make`);
      // Without the directory link, the file link is replaced by the file, not written through.
      fs.rmSync(join(tree, 'conf.d'), { recursive: true });
      await root.pushDirectory(tree, dest);
      expect(fs.lstatSync(join(dest, 'app.conf')).isFile()).toBe(true);
      expect(fs.readFileSync(join(dest, 'app.conf'), 'utf8')).toBe('settings');
      expect(fs.readdirSync(secrets).map((name) => [name, fs.readFileSync(join(secrets, name), 'utf8'), fs.statSync(join(secrets, name)).mode])).toEqual(before);
      expect(fs.statSync(secrets).mode).toBe(secretsMode);
      expect(fs.statSync(join(secrets, 'shadow')).uid).toBe(0);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }, 30_000);
});
