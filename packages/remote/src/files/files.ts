// The root's side of file transfers: Context.pushFile/fetchFile/pushDirectory/fetchDirectory/openRead/
// openWrite land here. The context's side is file-endpoint.ts, shipped on its first transfer.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { readFile } from '@x/kernel-io';
import type { Context, FileOperations } from '../calls/context.js';
import { ChannelError, InvalidArgumentError } from '../errors.js';
import { type Checksum, DEFAULT_CHECKSUM, createDigest, isChecksum, isDigest } from './digest.js';
import { finishTree, listTree, makeTree, pruneTree } from './file-endpoint.js';
import { type FileDigest, digestFile } from './file-digest.js';
import { fileFailure } from './file-error.js';
import { type FileErrorInfo, brokenProtocol, changedWhileRead, errorInfo, failureError, untrustedInfo } from './file-info.js';
import { type FileMeta, changeBetween, notRegular, openFileTarget } from './file-target.js';
import { type TreeEntry, type TreeListing, isByteCount, untrustedListing } from './file-tree.js';
import type { RouterCore } from '../calls/router-core.js';
import type { DirectoryResult, FileOptions, TransferResult } from '../calls/file-options.js';
import { CHUNK_SIZE, WINDOW_SIZE } from './transfer.js';
import { Sink, type SinkDone, type SinkTarget } from './transfer-sink.js';
import { Source } from './transfer-source.js';

const ENDPOINT = new URL(import.meta.url.endsWith('.ts') ? './file-endpoint.ts' : './file-endpoint.js', import.meta.url);

/** Files transferred side by side within one directory transfer: enough to hide each file's two round trips. */
const DIRECTORY_PARALLEL = 4;

type Answer<T> = T | { error: FileErrorInfo };

function checkPath(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('\0')) throw new InvalidArgumentError(name, 'a non-empty path string without NUL bytes', value);
  return value;
}

function checkOptions(options: FileOptions | undefined): FileOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object ({ mode, owner, preserveTimes, overwrite, checksum, skipUnchanged, delete, signal })', options);
  const { mode, owner, preserveTimes, overwrite, checksum, skipUnchanged, delete: prune, signal, onProgress } = options;
  if (mode !== undefined && (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)) throw new InvalidArgumentError('options.mode', 'permission bits from 0 to 0o7777', mode);
  if (owner !== undefined) {
    if (typeof owner !== 'object' || owner === null) throw new InvalidArgumentError('options.owner', 'an object { uid, gid } of numeric ids', owner);
    for (const key of ['uid', 'gid'] as const) {
      const id = owner[key];
      if (id !== undefined && (!Number.isInteger(id) || id < 0 || id > 0xffff_fffe)) throw new InvalidArgumentError(`options.owner.${key}`, 'a numeric id from 0 to 4294967294', id);
    }
  }
  if (preserveTimes !== undefined && typeof preserveTimes !== 'boolean') throw new InvalidArgumentError('options.preserveTimes', 'a boolean', preserveTimes);
  if (overwrite !== undefined && typeof overwrite !== 'boolean') throw new InvalidArgumentError('options.overwrite', 'a boolean', overwrite);
  if (checksum !== undefined && !isChecksum(checksum)) throw new InvalidArgumentError('options.checksum', "'xxh128' or 'sha256'", checksum);
  if (skipUnchanged !== undefined && typeof skipUnchanged !== 'boolean') throw new InvalidArgumentError('options.skipUnchanged', 'a boolean', skipUnchanged);
  if (prune !== undefined && typeof prune !== 'boolean') throw new InvalidArgumentError('options.delete', 'a boolean', prune);
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('options.signal', 'an AbortSignal', signal);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new InvalidArgumentError('options.onProgress', 'a function (bytes, total) => void', onProgress);
  return options;
}

function metaFor(options: FileOptions, source: { mode: number; atimeMs: number; mtimeMs: number } | undefined): FileMeta {
  return {
    mode: options.mode,
    sourceMode: source?.mode,
    uid: options.owner?.uid,
    gid: options.owner?.gid,
    overwrite: options.overwrite ?? true,
    ...(options.preserveTimes === true && source !== undefined ? { atimeMs: source.atimeMs, mtimeMs: source.mtimeMs } : {}),
  };
}

function abortedInfo(path: string, signal: AbortSignal): FileErrorInfo {
  const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  return { code: 'ERR_X_REMOTE_CHANNEL', errno: undefined, syscall: undefined, path, reason: 'aborted', message: `the transfer of '${path}' was aborted (${why})` };
}

/** Runs `abort` when `signal` fires, or at once if it already has (it may have while awaiting); returns the undo. */
function whenAborted(signal: AbortSignal | undefined, abort: () => void): () => void {
  if (signal === undefined) return () => {};
  if (signal.aborted) {
    abort();
    return () => {};
  }
  signal.addEventListener('abort', abort, { once: true });
  return () => signal.removeEventListener('abort', abort);
}

/** What an aborted file operation rejects with, however far it got: a ChannelError, reason 'aborted'. */
function abortError(path: string, signal: AbortSignal, context: string): Error {
  return fileFailure(abortedInfo(path, signal), context);
}

/**
 * Calls the endpoint in the context; its errors come back as data and leave here as FileErrors, naming
 * `path` (what the user named: a context's word on which path failed is not taken). The answer is the
 * context's word too: the caller checks it before using it.
 * Never with the caller's signal: a call abandoned midway could leave the context's side open (a
 * temporary, a sending source); an abort reaches the transfer once it is open, and ends it there.
 */
async function endpoint(context: Context, path: string, name: string, ...args: unknown[]): Promise<Record<string, unknown> | null> {
  const answer = await context.call<unknown>(ENDPOINT, name, ...args);
  if (answer !== null && typeof answer === 'object' && 'error' in answer) throw fileFailure(untrustedInfo(answer.error, path), context.name);
  if (answer !== null && typeof answer !== 'object') throw fileFailure(brokenProtocol(path, `answered ${name} with a ${typeof answer}`), context.name);
  return answer as Record<string, unknown> | null;
}

/** A handle number a context answered: the only thing taken from it is that it is one. */
function handleIn(answer: Record<string, unknown> | null, key: string, path: string, context: Context): number {
  const handle = answer?.[key];
  if (!Number.isInteger(handle) || (handle as number) <= 0 || (handle as number) > 0xffff_ffff) throw fileFailure(brokenProtocol(path, `answered without a valid ${key}`), context.name);
  return handle as number;
}

/** Setuid and setgid are never taken from a context: a fetch run as root would make setuid files on its word. */
const PRIVILEGE_BITS = 0o6000;

/** What a context says of a source file it opened, checked: sizes, modes and times in range. */
function sourceStat(answer: Record<string, unknown> | null, path: string, context: Context): { ackHandle: number; size: number; mode: number; atimeMs: number; mtimeMs: number } {
  const ackHandle = handleIn(answer, 'ackHandle', path, context);
  const { size, mode, atimeMs, mtimeMs } = answer!;
  const time = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 8.64e15;
  if (!isByteCount(size) || !Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o7777 || !time(atimeMs) || !time(mtimeMs)) {
    throw fileFailure(brokenProtocol(path, 'described the file with a size, mode or time out of range'), context.name);
  }
  return { ackHandle, size, mode: (mode as number) & ~PRIVILEGE_BITS, atimeMs: atimeMs as number, mtimeMs: mtimeMs as number };
}

/** Local tree functions answer in the endpoint's shape; errors here are this process's own. */
function local<T>(answer: Answer<T>): T {
  if (answer !== null && typeof answer === 'object' && 'error' in answer) throw fileFailure(answer.error, 'root');
  return answer as T;
}

/**
 * The user's progress callback as a transfer calls it: the first exception it throws abandons the
 * transfer through `abandon` and is kept, so the operation rejects with it rather than a transfer error.
 */
function progressOf(onProgress: FileOptions['onProgress'], total: number | undefined, abandon: (error: unknown) => void): { report: ((bytes: number) => void) | undefined; thrown: () => unknown } {
  let thrown: unknown;
  if (onProgress === undefined) return { report: undefined, thrown: () => undefined };
  return {
    report: (bytes) => {
      if (thrown !== undefined) return;
      try {
        onProgress(bytes, total);
      } catch (error) {
        thrown = error ?? new Error('onProgress threw');
        abandon(thrown);
      }
    },
    thrown: () => thrown,
  };
}

/**
 * A tree's progress: the files' own reports summed over the tree, against the size of all its files;
 * those not `sent` (unchanged) count as there from the start.
 */
function treeProgress(onProgress: FileOptions['onProgress'], files: TreeEntry[], sent: TreeEntry[]): { forFile: (entry: TreeEntry) => FileOptions['onProgress'] } {
  const total = files.reduce((sum, entry) => sum + entry.size, 0);
  const landed = new Map<string, number>();
  let sum = total - sent.reduce((all, entry) => all + entry.size, 0);
  return {
    forFile: (entry) =>
      onProgress === undefined
        ? undefined
        : (bytes) => {
            sum += bytes - (landed.get(entry.path) ?? 0);
            landed.set(entry.path, bytes);
            onProgress(sum, total);
          },
  };
}

/** Runs `work` on every item, `limit` at a time; the first failure stops new work and is thrown. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = results.find((result) => result.status === 'rejected');
  if (rejected !== undefined) throw (rejected as PromiseRejectedResult).reason;
}

/** A context's digestFiles answer for one file, checked; undefined for anything else (then not unchanged). */
function checkedDigest(value: unknown, checksum: Checksum): FileDigest | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { digest, mode, uid, gid } = value as Record<string, unknown>;
  const id = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff_ffff;
  if (!isDigest(checksum, digest) || !Number.isInteger(mode) || (mode as number) < 0 || (mode as number) > 0o7777 || !id(uid) || !id(gid)) return undefined;
  return { digest, mode: mode as number, uid, gid };
}

/** A count a context answered (entries it deleted): a byte count's range, else the protocol is broken. */
function countIn(answer: Record<string, unknown> | null, key: string, path: string, context: Context): number {
  const count = answer?.[key];
  if (!isByteCount(count)) throw fileFailure(brokenProtocol(path, `answered without a valid ${key} count`), context.name);
  return count;
}

export function fileOperations(router: RouterCore): FileOperations {
  /**
   * The unchanged check (skipUnchanged): for each file, the digest when both sides have it as a
   * regular file of `size` bytes and the same checksum, and the destination has the mode and owner
   * told (if any); else undefined. The context hashes first, so here only what it has is hashed.
   * A context's word can only make it skip writing its own files (push) or sending one here (fetch).
   */
  async function unchanged(context: Context, files: { local: string; remote: string; size: number }[], opts: FileOptions, direction: 'push' | 'fetch'): Promise<(string | undefined)[]> {
    const checksum = opts.checksum ?? DEFAULT_CHECKSUM;
    const answer = await context.call<unknown>(ENDPOINT, 'digestFiles', files.map((file) => ({ path: file.remote, size: file.size })), checksum);
    const theirs: unknown[] = Array.isArray(answer) && answer.length === files.length ? answer : [];
    const results: (string | undefined)[] = new Array(files.length).fill(undefined);
    await eachLimited([...files.keys()], DIRECTORY_PARALLEL, async (index) => {
      const remote = checkedDigest(theirs[index], checksum);
      if (remote === undefined) return;
      const here = await digestFile(files[index]!.local, files[index]!.size, checksum);
      if (here === null || here.digest !== remote.digest) return;
      const destination = direction === 'push' ? remote : here;
      if (opts.mode !== undefined && destination.mode !== opts.mode) return;
      if (opts.owner?.uid !== undefined && destination.uid !== opts.owner.uid) return;
      if (opts.owner?.gid !== undefined && destination.gid !== opts.owner.gid) return;
      results[index] = here.digest;
    });
    return results;
  }

  /** A tree's files that differ at the destination. */
  async function changedFiles(context: Context, files: TreeEntry[], localDir: string, remoteDir: string, opts: FileOptions, direction: 'push' | 'fetch'): Promise<TreeEntry[]> {
    if (files.length === 0) return files;
    const same = await unchanged(context, files.map((entry) => ({ local: join(localDir, entry.path), remote: join(remoteDir, entry.path), size: entry.size })), opts, direction);
    return files.filter((_, index) => same[index] === undefined);
  }

  async function pushFile(context: Context, localPath: string, remotePath: string, options?: FileOptions): Promise<TransferResult> {
    checkPath('localPath', localPath);
    checkPath('remotePath', remotePath);
    return pushOne(context, localPath, remotePath, checkOptions(options), undefined);
  }

  /** Pushes one file; `root`: the remote destination of the directory transfer it is part of. */
  async function pushOne(context: Context, localPath: string, remotePath: string, opts: FileOptions, root: string | undefined): Promise<TransferResult> {
    if (opts.signal?.aborted) throw abortError(remotePath, opts.signal, context.name);
    const stat = await fs.promises.stat(localPath);
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${localPath}' (use pushDirectory)`), { code: 'EISDIR', errno: -21, syscall: 'read', path: localPath });
    if (!stat.isFile()) throw notRegular(localPath);
    const checksum = opts.checksum ?? DEFAULT_CHECKSUM;
    if (opts.skipUnchanged === true) {
      const [same] = await unchanged(context, [{ local: localPath, remote: remotePath, size: stat.size }], opts, 'push');
      if (same !== undefined) return { bytes: stat.size, checksum, digest: same, changed: false };
    }
    const source = new Source(router, context.id, remotePath, checksum, await createDigest(checksum), (info) => fileFailure(info, context.name));
    const stopOnAbort = whenAborted(opts.signal, () => source.abort(abortedInfo(remotePath, opts.signal!)));
    const input = readFile(localPath, { bufferSize: CHUNK_SIZE, queue: WINDOW_SIZE / CHUNK_SIZE });
    const progress = progressOf(opts.onProgress, stat.size, (error) => source.abort(errorInfo(error, localPath)));
    source.onProgress = progress.report;
    let changed: FileErrorInfo | undefined;
    try {
      const meta = { ...metaFor(opts, { mode: stat.mode & 0o7777, atimeMs: stat.atimeMs, mtimeMs: stat.mtimeMs }), root };
      // Not aborted midway: an opened sink must learn its handle, so that an abort can reach it.
      source.sinkHandle = handleIn(await endpoint(context, remotePath, 'openSink', remotePath, meta, router.id, source.ackHandle, checksum), 'handle', remotePath, context);
      for await (const chunk of input) {
        // Past the size it had: it grew while read, and what follows was never meant to be sent.
        if (source.sent + chunk.length > stat.size) break;
        await source.send(chunk, () => input.release(chunk));
      }
      const what = changeBetween(stat, await fs.promises.stat(localPath).catch(() => undefined), source.sent);
      if (what !== undefined) {
        changed = changedWhileRead(localPath, what);
        throw failureError(changed);
      }
      return await source.end();
    } catch (error) {
      source.abort(errorInfo(error, localPath));
      if (changed !== undefined) throw fileFailure(changed, 'root');
      throw progress.thrown() ?? (opts.signal?.aborted ? abortError(remotePath, opts.signal, context.name) : error);
    } finally {
      stopOnAbort();
      input.terminate();
    }
  }

  /** Runs a Sink here for `remotePath`'s bytes; `target` is where they go. */
  async function fetchInto(context: Context, remotePath: string, target: SinkTarget & { meta: FileMeta }, opts: FileOptions, onSink?: (sink: Sink) => void): Promise<TransferResult> {
    let settle!: SinkDone;
    const done = new Promise<TransferResult>((resolve, reject) => {
      settle = (error, result, here) => (error === undefined ? resolve(result!) : reject(fileFailure(error, here === true ? 'root' : context.name)));
    });
    // A failure before the bytes flow is thrown from the catch below; this promise's own rejection is then moot.
    done.catch(() => {});
    const checksum = opts.checksum ?? DEFAULT_CHECKSUM;
    const sink = new Sink(router, context.id, target, remotePath, checksum, await createDigest(checksum), undefined, settle);
    let progress: ReturnType<typeof progressOf> | undefined;
    onSink?.(sink);
    const stopOnAbort = whenAborted(opts.signal, () => sink.abort(abortedInfo(remotePath, opts.signal!)));
    try {
      // Not aborted midway: a started source must learn where acks go, so that an abort can stop it.
      const stat = sourceStat(await endpoint(context, remotePath, 'openSource', remotePath, router.id, sink.handle, checksum), remotePath, context);
      Object.assign(target.meta, metaFor(opts, stat));
      progress = progressOf(opts.onProgress, stat.size, (error) => sink.abort(errorInfo(error, remotePath)));
      sink.onProgress = progress.report;
      sink.expectSize(stat.size);
      sink.setAckHandle(stat.ackHandle);
      return await done;
    } catch (error) {
      sink.abort(errorInfo(error, remotePath));
      // Settles once the temporary here is gone: the caller hears of the failure with nothing left.
      await done.catch(() => {});
      throw progress?.thrown() ?? (opts.signal?.aborted ? abortError(remotePath, opts.signal, context.name) : error);
    } finally {
      stopOnAbort();
    }
  }

  async function fetchFile(context: Context, remotePath: string, localPath: string, options?: FileOptions): Promise<TransferResult> {
    checkPath('remotePath', remotePath);
    checkPath('localPath', localPath);
    return fetchOne(context, remotePath, localPath, checkOptions(options), undefined);
  }

  /** Fetches one file; `root`: the local destination of the directory transfer it is part of. */
  async function fetchOne(context: Context, remotePath: string, localPath: string, opts: FileOptions, root: string | undefined): Promise<TransferResult> {
    if (opts.signal?.aborted) throw abortError(remotePath, opts.signal, context.name);
    if (opts.skipUnchanged === true) {
      const here = await fs.promises.lstat(localPath).catch(() => undefined);
      if (here?.isFile()) {
        const [same] = await unchanged(context, [{ local: localPath, remote: remotePath, size: here.size }], opts, 'fetch');
        if (same !== undefined) return { bytes: here.size, checksum: opts.checksum ?? DEFAULT_CHECKSUM, digest: same, changed: false };
      }
    }
    const target = await openFileTarget(localPath, { ...metaFor(opts, undefined), root }).catch((error: unknown) => {
      // This process's own failure; one of ours (an unsafe path) becomes a FileError.
      throw (error as { info?: FileErrorInfo }).info !== undefined ? fileFailure((error as { info: FileErrorInfo }).info, 'root') : error;
    });
    return fetchInto(context, remotePath, target, opts);
  }

  async function pushDirectory(context: Context, localDir: string, remoteDir: string, options?: FileOptions): Promise<DirectoryResult> {
    checkPath('localDir', localDir);
    checkPath('remoteDir', remoteDir);
    const opts = checkOptions(options);
    const { entries, skipped } = local(await listTree(localDir));
    const deleted = opts.delete === true ? countIn(await endpoint(context, remoteDir, 'pruneTree', remoteDir, entries), 'deleted', remoteDir, context) : 0;
    await endpoint(context, remoteDir, 'makeTree', remoteDir, entries, opts.overwrite ?? true);
    const fileOpts = treeFileOptions(opts);
    const files = entries.filter((entry) => entry.type === 'file');
    const changed = opts.skipUnchanged === true ? await changedFiles(context, files, localDir, remoteDir, fileOpts, 'push') : files;
    const progress = treeProgress(opts.onProgress, files, changed);
    await eachLimited(changed, DIRECTORY_PARALLEL, async (entry) => {
      await pushOne(context, join(localDir, entry.path), join(remoteDir, entry.path), { ...fileOpts, onProgress: progress.forFile(entry) }, remoteDir);
    });
    if (opts.signal?.aborted) throw abortError(remoteDir, opts.signal, context.name);
    await endpoint(context, remoteDir, 'finishTree', remoteDir, entries, opts.preserveTimes === true);
    return { ...summary(entries, skipped), unchanged: files.length - changed.length, deleted };
  }

  async function fetchDirectory(context: Context, remoteDir: string, localDir: string, options?: FileOptions): Promise<DirectoryResult> {
    checkPath('remoteDir', remoteDir);
    checkPath('localDir', localDir);
    const opts = checkOptions(options);
    if (opts.signal?.aborted) throw abortError(remoteDir, opts.signal, context.name);
    const listing = await endpoint(context, remoteDir, 'listTree', remoteDir);
    // The context's word: checked before anything is written here (untrustedListing), and checked
    // again where it is written (makeTree, and each file's directory held as it is opened).
    let checked: TreeListing;
    try {
      checked = untrustedListing(listing, localDir);
    } catch (error) {
      throw fileFailure((error as { info: FileErrorInfo }).info, context.name);
    }
    const { entries, skipped } = checked;
    const deleted = opts.delete === true ? local(await pruneTree(localDir, entries)).deleted : 0;
    local(await makeTree(localDir, entries, opts.overwrite ?? true));
    const fileOpts = treeFileOptions(opts);
    const files = entries.filter((entry) => entry.type === 'file');
    const changed = opts.skipUnchanged === true ? await changedFiles(context, files, localDir, remoteDir, fileOpts, 'fetch') : files;
    const progress = treeProgress(opts.onProgress, files, changed);
    await eachLimited(changed, DIRECTORY_PARALLEL, async (entry) => {
      await fetchOne(context, join(remoteDir, entry.path), join(localDir, entry.path), { ...fileOpts, onProgress: progress.forFile(entry) }, localDir);
    });
    local(await finishTree(localDir, entries, opts.preserveTimes === true));
    return { ...summary(entries, skipped), unchanged: files.length - changed.length, deleted };
  }

  function openRead(context: Context, remotePath: string, options: { signal?: AbortSignal } = {}): Readable {
    checkPath('remotePath', remotePath);
    const opts = checkOptions(options);
    // Frames pushed while the reader is full: acknowledged once it asks for more.
    const waiting: (() => void)[] = [];
    let sink: Sink | undefined;
    const readable = new Readable({
      // Small: a reader that stops holds back at most this plus one window (what is in flight).
      highWaterMark: CHUNK_SIZE,
      read: () => {
        for (const wake of waiting.splice(0)) wake();
      },
      destroy: (error, callback) => {
        sink?.abort({ code: 'ERR_X_REMOTE_CHANNEL', errno: undefined, syscall: undefined, path: remotePath, reason: 'closed', message: `the reader of '${remotePath}' went away` });
        callback(error);
      },
    });
    const target = {
      meta: {},
      // Acknowledged once the consumer wants more: a slow reader holds the sender at one window.
      write: (data: Buffer[]): Promise<void> | void => {
        let room = true;
        for (const piece of data) room = readable.push(piece);
        if (room) return undefined;
        return new Promise<void>((resolve) => waiting.push(resolve));
      },
      commit: async (): Promise<void> => {
        readable.push(null);
      },
      discard: (): void => {},
    };
    fetchInto(context, remotePath, target, opts, (made) => {
      sink = made;
      // Destroyed while the sink was being made: the transfer ends before it starts.
      if (readable.destroyed) made.abort({ code: 'ERR_X_REMOTE_CHANNEL', errno: undefined, syscall: undefined, path: remotePath, reason: 'closed', message: `the reader of '${remotePath}' went away` });
    }).then(
      () => {},
      (error: unknown) => readable.destroy(error as Error),
    );
    return readable;
  }

  function openWrite(context: Context, remotePath: string, options?: FileOptions): Writable & { result: Promise<TransferResult> } {
    checkPath('remotePath', remotePath);
    const opts = checkOptions(options);
    const checksum = opts.checksum ?? DEFAULT_CHECKSUM;
    // Made in construct (its hash is made asynchronously); every other callback runs after construct.
    let source!: Source;
    let settle!: [(result: TransferResult) => void, (error: unknown) => void];
    const result = new Promise<TransferResult>((resolve, reject) => (settle = [resolve, reject]));
    result.catch(() => {});
    let ended = false;
    const writable = new Writable({
      highWaterMark: CHUNK_SIZE,
      construct: (callback) => {
        createDigest(checksum)
          .then((hash) => {
            source = new Source(router, context.id, remotePath, checksum, hash, (info) => fileFailure(info, context.name));
            return endpoint(context, remotePath, 'openSink', remotePath, metaFor(opts, undefined), router.id, source.ackHandle, checksum);
          })
          .then(
          (answer) => {
            try {
              source.sinkHandle = handleIn(answer, 'handle', remotePath, context);
            } catch (error) {
              source.abort(errorInfo(error, remotePath));
              callback(error as Error);
              return;
            }
            callback();
          },
          (error: Error) => {
            if (source !== undefined) source.abort(errorInfo(error, remotePath));
            callback(error);
          },
        );
      },
      write: (chunk: Buffer, _encoding, callback) => {
        source.send(chunk).then(() => callback(), callback);
      },
      final: (callback) => {
        source.end().then(
          (value) => {
            ended = true;
            settle[0](value);
            callback();
          },
          (error: Error) => {
            ended = true;
            callback(error);
          },
        );
      },
      destroy: (error, callback) => {
        if (!ended && source !== undefined) source.abort(error === null ? { code: 'ERR_X_REMOTE_CHANNEL', errno: undefined, syscall: undefined, path: remotePath, reason: 'closed', message: `the writer of '${remotePath}' was destroyed before end()` } : errorInfo(error, remotePath));
        if (error !== null || !ended) settle[1](error ?? new ChannelError('closed', `The writer of '${remotePath}' was destroyed before end(); nothing was written.`));
        callback(error);
      },
    });
    const stopOnAbort = whenAborted(opts.signal, () => {
      writable.destroy(abortError(remotePath, opts.signal!, context.name));
    });
    writable.once('close', stopOnAbort);
    return Object.assign(writable, { result });
  }

  return { pushFile, fetchFile, pushDirectory, fetchDirectory, openRead, openWrite };
}

/**
 * What a tree's files are written with: an existing file's mode, else the source's (one `mode` for
 * every file is not what a tree means); the unchanged check already done for the whole tree.
 */
function treeFileOptions(opts: FileOptions): FileOptions {
  const { mode: _mode, ...rest } = opts;
  return { ...rest, skipUnchanged: false };
}

function summary(entries: TreeEntry[], skipped: string[]): Omit<DirectoryResult, 'unchanged' | 'deleted'> {
  const result = { files: 0, directories: 0, symlinks: 0, bytes: 0, skipped };
  for (const entry of entries) {
    if (entry.type === 'file') {
      result.files++;
      result.bytes += entry.size;
    } else if (entry.type === 'directory') {
      result.directories++;
    } else {
      result.symlinks++;
    }
  }
  return result;
}
