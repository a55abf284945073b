// File transfers against a context that lies: every attack is refused with its documented error, and
// the operator's side is left as it was (nothing written, created or chmod-ed outside the destination).
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileError } from '../src/index.js';
import type { FileErrorInfo } from '../src/files/file-info.js';
import { finishTree, makeTree } from '../src/files/file-endpoint.js';
import { openFileTarget } from '../src/files/file-target.js';
import type { TreeEntry } from '../src/files/file-tree.js';
import { CHUNK_SIZE, WINDOW_SIZE } from '../src/files/transfer.js';
import { Sink, type SinkTarget } from '../src/files/transfer-sink.js';
import { Source } from '../src/files/transfer-source.js';
import { createDigest } from '../src/files/digest.js';
import { eventually, quietRouter, treeSnapshot } from './helpers.js';
import type { Lie } from './fixtures/hostile-files.js';

useLeakCheck();

const hostile = new URL('./fixtures/hostile-files.ts', import.meta.url);
const endpointModule = new URL('../src/files/file-endpoint.ts', import.meta.url);
const MiB = 1 << 20;

let dir: string;
/** Where nothing may ever be written: the operator's files outside every destination. */
let outside: string;
beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'x-files-hostile-'));
  outside = join(dir, 'outside');
  fs.mkdirSync(outside, { mode: 0o750 });
  fs.writeFileSync(join(outside, 'victim'), 'the operator\'s own file');
  fs.chmodSync(join(outside, 'victim'), 0o600);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A small tree to fetch or push: a file at the top and one in a subdirectory. */
function makeSourceTree(root: string): string {
  fs.mkdirSync(join(root, 'sub'), { recursive: true });
  fs.writeFileSync(join(root, 'app.conf'), 'new settings');
  fs.writeFileSync(join(root, 'sub', 'secret.txt'), 'data');
  return root;
}

const ROOT_ENTRY = { path: '', type: 'directory', mode: 0o755, size: 4096, atimeMs: 0, mtimeMs: 0 };
const file = (path: string): Record<string, unknown> => ({ path, type: 'file', mode: 0o644, size: 4, atimeMs: 0, mtimeMs: 0 });
const directory = (path: string): Record<string, unknown> => ({ path, type: 'directory', mode: 0o755, size: 4096, atimeMs: 0, mtimeMs: 0 });
const symlink = (path: string, link: string): Record<string, unknown> => ({ path, type: 'symlink', mode: 0o777, size: 1, atimeMs: 0, mtimeMs: 0, link });

async function lieTo(ctx: { call: (url: URL, name: string, ...args: unknown[]) => Promise<unknown> }, name: string, what: Lie): Promise<void> {
  await ctx.call(hostile, 'lie', name, what);
}

describe('fetchDirectory from a context that lies in its listing', () => {
  it('refuses every entry that would reach outside the destination, and creates nothing', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'liar' });
    const remote = makeSourceTree(join(dir, 'remote'));
    const dest = join(dir, 'dest');
    const before = treeSnapshot(outside);
    const listings: [string, unknown[]][] = [
      ['a parent-relative path', [ROOT_ENTRY, file('../outside/escape.txt')]],
      ['a deeper parent-relative path', [ROOT_ENTRY, directory('a'), file('a/../../outside/victim')]],
      ['an absolute path', [ROOT_ENTRY, file(join(outside, 'victim'))]],
      ['an empty path', [ROOT_ENTRY, file('')]],
      ['a dot component', [ROOT_ENTRY, directory('a'), file('a/./b')]],
      ['an empty component', [ROOT_ENTRY, directory('a'), file('a//b')]],
      ['a trailing slash', [ROOT_ENTRY, directory('a/')]],
      ['a NUL byte', [ROOT_ENTRY, file('x\0/../../outside/victim')]],
      ['backslashes', [ROOT_ENTRY, file('..\\outside\\victim')]],
      ['a duplicate', [ROOT_ENTRY, file('twice'), file('twice')]],
      ['a file under a declared symlink', [ROOT_ENTRY, symlink('link', outside), file('link/victim')]],
      ['a directory under a declared symlink', [ROOT_ENTRY, symlink('link', outside), directory('link/made')]],
      ['a file under a file', [ROOT_ENTRY, file('plain'), file('plain/x')]],
      ['an entry before its directory', [ROOT_ENTRY, file('late/x'), directory('late')]],
      ['no root entry', [file('victim')]],
      ['the root named twice', [ROOT_ENTRY, ROOT_ENTRY]],
    ];
    for (const [what, entries] of listings) {
      await lieTo(ctx, 'listTree', { kind: 'replace', value: { entries, skipped: [] } });
      const error = await ctx.fetchDirectory(remote, dest).catch((caught: unknown) => caught);
      expect(error, what).toBeInstanceOf(FileError);
      expect(error, what).toMatchObject({ code: 'ERR_X_REMOTE_UNSAFE_PATH', context: 'liar', path: dest });
      expect((error as Error).message, what).toMatch(/refused to write/);
      expect(fs.existsSync(dest), what).toBe(false);
      expect(treeSnapshot(outside), what).toEqual(before);
    }
    // The same context, honest again, is fetched from: the refusals came from the lies.
    await lieTo(ctx, 'listTree', { kind: 'merge', fields: {} });
    expect(await ctx.fetchDirectory(remote, dest)).toMatchObject({ files: 2, directories: 2 });
    expect(treeSnapshot(dest)).toEqual(treeSnapshot(remote));
  });

  it('refuses a malformed listing (sizes, modes, times out of range, no arrays) with ERR_X_REMOTE_FILE_PROTOCOL', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'liar' });
    const remote = makeSourceTree(join(dir, 'remote'));
    const dest = join(dir, 'dest');
    const before = treeSnapshot(outside);
    const values: [string, unknown][] = [
      ['no entries', { skipped: [] }],
      ['entries not an array', { entries: { length: 2 ** 32 - 1 }, skipped: [] }],
      ['a negative size', { entries: [ROOT_ENTRY, { ...file('a'), size: -1 }], skipped: [] }],
      ['a size past 2^53', { entries: [ROOT_ENTRY, { ...file('a'), size: 2 ** 60 }], skipped: [] }],
      ['a mode with file-type bits', { entries: [ROOT_ENTRY, { ...file('a'), mode: 0o100644 }], skipped: [] }],
      ['a time that is not a number', { entries: [ROOT_ENTRY, { ...file('a'), mtimeMs: 'yesterday' }], skipped: [] }],
      ['a time that is not finite', { entries: [ROOT_ENTRY, { ...file('a'), atimeMs: Number.POSITIVE_INFINITY }], skipped: [] }],
      ['an unknown type', { entries: [ROOT_ENTRY, { ...file('a'), type: 'fifo' }], skipped: [] }],
      ['a symlink without a target', { entries: [ROOT_ENTRY, { ...file('a'), type: 'symlink' }], skipped: [] }],
      ['a skipped entry that is not a path', { entries: [ROOT_ENTRY], skipped: [{ path: 'x' }] }],
    ];
    for (const [what, value] of values) {
      await lieTo(ctx, 'listTree', { kind: 'replace', value });
      const error = await ctx.fetchDirectory(remote, dest).catch((caught: unknown) => caught);
      expect(error, what).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_FILE_PROTOCOL', context: 'liar' });
      expect(fs.existsSync(dest), what).toBe(false);
    }
    expect(treeSnapshot(outside)).toEqual(before);
  });

  it('takes no setuid or setgid bit from a context; a mode the caller gives still sets them', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const remote = makeSourceTree(join(dir, 'remote'));
    fs.chmodSync(join(remote, 'app.conf'), 0o4755);
    fs.chmodSync(join(remote, 'sub'), 0o2775);
    await ctx.fetchDirectory(remote, join(dir, 'tree'));
    expect(fs.statSync(join(dir, 'tree', 'app.conf')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(join(dir, 'tree', 'sub')).mode & 0o7777).toBe(0o775);
    await ctx.fetchFile(join(remote, 'app.conf'), join(dir, 'single'));
    expect(fs.statSync(join(dir, 'single')).mode & 0o7777).toBe(0o755);
    await ctx.fetchFile(join(remote, 'app.conf'), join(dir, 'asked'), { mode: 0o4750 });
    expect(fs.statSync(join(dir, 'asked')).mode & 0o7777).toBe(0o4750);
    // A push keeps them: the root's own files are the root's word.
    await ctx.pushFile(join(remote, 'app.conf'), join(dir, 'pushed'));
    expect(fs.statSync(join(dir, 'pushed')).mode & 0o7777).toBe(0o4755);
  });
});

describe('fetchFile from a context that lies about the file it sends', () => {
  it('refuses sizes, modes, times and handles out of range in its description of the file', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'liar' });
    const source = join(dir, 'source');
    fs.writeFileSync(source, 'remote bytes');
    const target = join(dir, 'target');
    fs.writeFileSync(target, 'old');
    const lies: Record<string, unknown>[] = [{ size: -1 }, { size: 1.5 }, { mode: 0o170000 }, { mtimeMs: Number.NaN }, { atimeMs: 1e300 }, { ackHandle: 'x' }, { ackHandle: -3 }];
    for (const fields of lies) {
      await lieTo(ctx, 'openSource', { kind: 'merge', fields });
      const error = await ctx.fetchFile(source, target, { preserveTimes: true }).catch((caught: unknown) => caught);
      expect(error, JSON.stringify(fields)).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_FILE_PROTOCOL', context: 'liar', path: source });
      expect(fs.readFileSync(target, 'utf8')).toBe('old');
    }
    // The temporary here is removed as the failure is handled (asynchronously).
    expect(await eventually(() => fs.readdirSync(dir).length === 3)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['outside', 'source', 'target']);
  });

  it('fails a fetch whose source sends more than it declared, and keeps the old file', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'liar' });
    const source = join(dir, 'source');
    fs.writeFileSync(source, Buffer.alloc(3 * CHUNK_SIZE, 7));
    const target = join(dir, 'target');
    fs.writeFileSync(target, 'old');
    await lieTo(ctx, 'openSource', { kind: 'merge', fields: { size: 10 } });
    const error = await ctx.fetchFile(source, target).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_FILE_PROTOCOL', context: 'liar' });
    expect((error as Error).message).toContain('declared');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(await eventually(() => fs.readdirSync(dir).length === 3)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['outside', 'source', 'target']);
  });

  it('fails a fetch flooded past the window before any acknowledgement, holding no more than the window', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'flooder' });
    const source = join(dir, 'source');
    fs.writeFileSync(source, Buffer.alloc(64 * MiB, 1));
    const target = join(dir, 'target');
    fs.writeFileSync(target, 'old');
    await lieTo(ctx, 'openSource', { kind: 'flood', chunks: WINDOW_SIZE / CHUNK_SIZE + 2 });
    const error = await ctx.fetchFile(source, target).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_FILE_PROTOCOL', context: 'flooder' });
    expect((error as Error).message).toContain('unacknowledged');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(await eventually(() => fs.readdirSync(dir).length === 3)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['outside', 'source', 'target']);
  });

  it('fails a transfer that goes on after its end', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'talker' });
    const source = join(dir, 'source');
    fs.writeFileSync(source, Buffer.alloc(MiB, 2));
    await ctx.call(hostile, 'sendAfterEnd');
    // Nothing reads: the writes here wait, so the end (and what follows it) arrives before they land.
    const readable = ctx.openRead(source);
    const error = await new Promise((resolve) => readable.once('error', resolve));
    expect(error).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_FILE_PROTOCOL', context: 'talker' });
    expect((error as Error).message).toContain('after its end');
  });
});

/** A target that records what it is asked; its writes land only when `release` is called. */
function heldTarget(): SinkTarget & { written: number; discarded: boolean; release: () => void } {
  const waiting: (() => void)[] = [];
  const target = {
    written: 0,
    discarded: false,
    write: (data: Buffer[]): Promise<void> => {
      for (const piece of data) target.written += piece.length;
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    commit: async (): Promise<void> => {},
    discard: (): void => void (target.discarded = true),
    release: (): void => {
      for (const wake of waiting.splice(0)) wake();
    },
  };
  return target;
}

/** A Sink here for `peer`'s frames, and how it ended. */
async function sinkFor(router: ConstructorParameters<typeof Sink>[0], peer: number, target: SinkTarget, path: string): Promise<{ sink: Sink; outcome: Promise<FileErrorInfo | undefined> }> {
  const hash = await createDigest('xxh128');
  let sink!: Sink;
  const outcome = new Promise<FileErrorInfo | undefined>((resolve) => {
    sink = new Sink(router, peer, target, path, 'xxh128', hash, undefined, (error) => resolve(error));
  });
  return { sink, outcome };
}

describe('a Sink here, fed by a hostile context', () => {
  it('fails the transfer when more than a window arrives unacknowledged, without handing the excess on', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const target = heldTarget();
    const { sink, outcome: failed } = await sinkFor(router, ctx.id, target, '/dest/file');
    // Acknowledgements would go to a handle of the context that nobody serves: none can help it.
    sink.setAckHandle(0xffff_ff00);
    // Tiny frames first (gathered, not one write each), then the flood.
    await ctx.call(hostile, 'sendData', router.id, sink.handle, 1, 1000);
    await ctx.call(hostile, 'sendData', router.id, sink.handle, CHUNK_SIZE, 4 * (WINDOW_SIZE / CHUNK_SIZE));
    const outcome = await failed;
    expect(outcome).toMatchObject({ code: 'ERR_X_REMOTE_FILE_PROTOCOL', path: '/dest/file' });
    expect(outcome!.message).toContain(`more than ${WINDOW_SIZE} bytes unacknowledged`);
    expect(target.discarded).toBe(true);
    expect(target.written).toBeLessThanOrEqual(WINDOW_SIZE);
    target.release();
  });

  it('fails on an empty data frame, an unknown message, or a malformed end', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const messages: [string, (handle: number) => Promise<unknown>][] = [
      ['an empty frame', (handle) => ctx.call(hostile, 'sendData', router.id, handle, 0, 1)],
      ['an unknown message', (handle) => ctx.call(hostile, 'sendValue', router.id, handle, ['rename', '/etc/passwd'])],
      ['an end with a negative size', (handle) => ctx.call(hostile, 'sendValue', router.id, handle, ['end', -1, 'a'.repeat(64)])],
      ['an end with a bad digest', (handle) => ctx.call(hostile, 'sendValue', router.id, handle, ['end', 0, 'not hex'])],
    ];
    for (const [what, send] of messages) {
      const target = heldTarget();
      const { sink, outcome } = await sinkFor(router, ctx.id, target, '/dest/file');
      await send(sink.handle);
      expect(await outcome, what).toMatchObject({ code: 'ERR_X_REMOTE_FILE_PROTOCOL' });
      expect(target.discarded, what).toBe(true);
    }
  });

  it('takes a forged abort only as a failure naming the path asked for, its text bounded', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const first = await sinkFor(router, ctx.id, heldTarget(), '/dest/file');
    await ctx.call(hostile, 'sendValue', router.id, first.sink.handle, ['abort', { code: 'ERR_X_REMOTE_CHANNEL', reason: 'anything', path: '/etc/shadow', message: 'x'.repeat(1 << 20), errno: 'no' }]);
    const outcome = await first.outcome;
    expect(outcome).toMatchObject({ code: 'ERR_X_REMOTE_CHANNEL', reason: 'disconnected', path: '/dest/file', errno: undefined });
    expect(outcome!.message.length).toBeLessThan(4096);
    const second = await sinkFor(router, ctx.id, heldTarget(), '/dest/other');
    await ctx.call(hostile, 'sendValue', router.id, second.sink.handle, ['abort', 'not an error']);
    expect(await second.outcome).toMatchObject({ code: 'ERR_X_REMOTE_FILE_PROTOCOL', path: '/dest/other' });
  });
});

describe('a Source here, answered by a hostile context', () => {
  it('fails when the context acknowledges bytes that were never sent', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const source = new Source(router, ctx.id, '/remote/file', 'xxh128', await createDigest('xxh128'), (info) => info);
    source.sinkHandle = 0xffff_ff00;
    await source.send(Buffer.alloc(1000));
    // Sent before the call's answer, on the same stream: it has arrived when the call returns.
    await ctx.call(hostile, 'sendValue', router.id, source.ackHandle, 10 * WINDOW_SIZE);
    const error = (await source.end().catch((caught: unknown) => caught)) as FileErrorInfo;
    expect(error).toMatchObject({ code: 'ERR_X_REMOTE_FILE_PROTOCOL', path: '/remote/file' });
    expect(error.message).toContain(`acknowledged ${10 * WINDOW_SIZE} bytes of the 1000 sent`);
  });

  it('fails when the context answers the end with bytes it was not sent', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    for (const answer of [{ bytes: 999, checksum: 'xxh128', digest: '0'.repeat(32) }, { bytes: 1000 }, { bytes: 1000, checksum: 'sha256', digest: '0'.repeat(64) }, null, 'done']) {
      const source = new Source(router, ctx.id, '/remote/file', 'xxh128', await createDigest('xxh128'), (info) => info);
      source.sinkHandle = await ctx.call<number>(hostile, 'lyingSink', router.id, answer);
      await source.send(Buffer.alloc(1000));
      const error = (await source.end().catch((caught: unknown) => caught)) as FileErrorInfo;
      expect(error, JSON.stringify(answer)).toMatchObject({ code: 'ERR_X_REMOTE_FILE_PROTOCOL', path: '/remote/file' });
    }
  });
});

describe('symlinks planted in an existing destination', () => {
  /** A destination tree someone else shares: its `sub` is a symlink to `outside`, and `app.conf` one to the victim file. */
  function plantedDestination(): string {
    const dest = join(dir, 'dest');
    fs.mkdirSync(dest);
    fs.symlinkSync(outside, join(dest, 'sub'));
    fs.symlinkSync(join(outside, 'victim'), join(dest, 'app.conf'));
    return dest;
  }

  it('pushDirectory is refused at a directory that is a symlink, and writes nothing through it', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'target' });
    const tree = makeSourceTree(join(dir, 'tree'));
    const dest = plantedDestination();
    const before = treeSnapshot(outside);
    const error = await ctx.pushDirectory(tree, dest).catch((caught: unknown) => caught);
    // The error names the destination asked for; the message, the symlink found there.
    expect(error).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_UNSAFE_PATH', context: 'target', path: dest });
    expect((error as Error).message).toContain(`'${join(dest, 'sub')}' is a symlink this transfer did not make`);
    expect(treeSnapshot(outside)).toEqual(before);
  });

  it('fetchDirectory is refused there too, here', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const tree = makeSourceTree(join(dir, 'tree'));
    const dest = plantedDestination();
    const before = treeSnapshot(outside);
    const error = await ctx.fetchDirectory(tree, dest).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_UNSAFE_PATH', context: 'root', path: join(dest, 'sub') });
    expect(treeSnapshot(outside)).toEqual(before);
  });

  it('a symlink where a file goes is replaced by the file, never written through, both ways', async () => {
    await using router = quietRouter();
    const ctx = await router.local();
    const tree = join(dir, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(join(tree, 'app.conf'), 'new settings');
    const before = treeSnapshot(outside);
    for (const direction of ['push', 'fetch'] as const) {
      fs.rmSync(join(dir, 'dest'), { recursive: true, force: true });
      const dest = plantedDestination();
      fs.rmSync(join(dest, 'sub'));
      await (direction === 'push' ? ctx.pushDirectory(tree, dest) : ctx.fetchDirectory(tree, dest));
      expect(fs.lstatSync(join(dest, 'app.conf')).isFile(), direction).toBe(true);
      expect(fs.readFileSync(join(dest, 'app.conf'), 'utf8')).toBe('new settings');
      expect(treeSnapshot(outside), direction).toEqual(before);
    }
  });

  it('a directory swapped for a symlink after the tree was made is refused when a file opens in it, or its mode is set', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'target' });
    const dest = join(dir, 'dest');
    const entries = [ROOT_ENTRY, directory('sub')] as TreeEntry[];
    expect(await makeTree(dest, entries, true)).toBeNull();
    // The tree's owner swaps the directory the transfer made for a link to the operator's files.
    fs.rmdirSync(join(dest, 'sub'));
    fs.symlinkSync(outside, join(dest, 'sub'));
    const before = treeSnapshot(outside);
    const local = await openFileTarget(join(dest, 'sub', 'victim'), { root: dest }).catch((caught: unknown) => caught);
    expect(local).toMatchObject({ code: 'ERR_X_REMOTE_UNSAFE_PATH' });
    const remote = await ctx.call<{ error: FileErrorInfo }>(endpointModule, 'openSink', join(dest, 'sub', 'victim'), { root: dest }, router.id, 0xffff_ff00, 'xxh128');
    expect(remote.error).toMatchObject({ code: 'ERR_X_REMOTE_UNSAFE_PATH', path: join(dest, 'sub', 'victim') });
    expect(await finishTree(dest, [ROOT_ENTRY, { ...directory('sub'), mode: 0o777 }] as TreeEntry[], true)).toMatchObject({ error: { code: 'ERR_X_REMOTE_UNSAFE_PATH' } });
    expect(treeSnapshot(outside)).toEqual(before);
  });

  it('a file whose directory is swapped for a symlink while it is written lands in the directory it was opened in', async () => {
    const dest = join(dir, 'dest');
    fs.mkdirSync(join(dest, 'sub'), { recursive: true });
    const target = await openFileTarget(join(dest, 'sub', 'victim'), { root: dest, mode: 0o644 });
    await target.write([Buffer.from('written by the '), Buffer.from('transfer')], 0);
    fs.renameSync(join(dest, 'sub'), join(dest, 'moved'));
    fs.symlinkSync(outside, join(dest, 'sub'));
    const before = treeSnapshot(outside);
    await target.commit();
    expect(treeSnapshot(outside)).toEqual(before);
    expect(fs.readFileSync(join(dest, 'moved', 'victim'), 'utf8')).toBe('written by the transfer');
  });
});


describe('the unchanged check against a context that lies', () => {
  it('writes the file whenever its answer is malformed or names another digest than the bytes here', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'liar' });
    const source = join(dir, 'source');
    fs.writeFileSync(source, 'the bytes here');
    const target = join(dir, 'target');
    const claim = { digest: '0'.repeat(32), mode: 0o644, uid: 0, gid: 0 };
    const answers: unknown[] = [[claim], [claim, claim], { 0: claim }, [{ ...claim, digest: 'ZZ'.repeat(16) }], [{ ...claim, mode: -1 }], [{ ...claim, uid: 'root' }]];
    for (const answer of answers) {
      fs.writeFileSync(target, 'other bytes!!!');
      await lieTo(ctx, 'digestFiles', { kind: 'replace', value: answer });
      const pushed = await ctx.pushFile(source, target, { skipUnchanged: true });
      expect(pushed.changed, JSON.stringify(answer)).toBe(true);
      expect(fs.readFileSync(target, 'utf8')).toBe('the bytes here');
      fs.writeFileSync(target, 'other bytes!!!');
      expect((await ctx.fetchFile(source, target, { skipUnchanged: true })).changed, JSON.stringify(answer)).toBe(true);
      expect(fs.readFileSync(target, 'utf8')).toBe('the bytes here');
    }
  });
});

describe('delete against a context that lies', () => {
  it('refuses a count of deleted entries that is not one', async () => {
    await using router = quietRouter();
    const ctx = await router.local({ name: 'liar' });
    const tree = join(dir, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(join(tree, 'file'), 'x');
    for (const deleted of [-1, 1.5, 'all', 2 ** 60]) {
      await lieTo(ctx, 'pruneTree', { kind: 'replace', value: { deleted } });
      const error = await ctx.pushDirectory(tree, join(dir, 'copy'), { delete: true }).catch((caught: unknown) => caught);
      expect(error, String(deleted)).toMatchObject({ name: 'FileError', code: 'ERR_X_REMOTE_FILE_PROTOCOL', context: 'liar' });
    }
  });
});
