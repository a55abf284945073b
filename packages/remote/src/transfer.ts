// The two ends of a byte transfer between contexts, used on both sides: the root runs them for its
// own files and ships this module (through file-endpoint.ts) to a context on its first transfer, so
// the core sent on every connect stays small. Only node: built-ins and small relative modules here.
import { createHash, type Hash } from 'node:crypto';
import { ENCODING_DEAD, ENCODING_RAW, type Frame } from './frame.js';
import type { RouterCore } from './router-core.js';
import type { Stream } from './stream.js';

/** Bytes per data frame: large enough that per-frame costs vanish, small enough to interleave calls. */
export const CHUNK_SIZE = 256 * 1024;
/**
 * Unacknowledged bytes per transfer. Measured on this 2-core machine (512 MiB, three runs each): to a
 * local context 1, 2, 4, 8 and 16 MiB all moved 300-380 MiB/s (the hashing at both ends is the limit);
 * over ssh to localhost 1 MiB lost about 10% (195 against 220 MiB/s) while 2 and 4 MiB were equal, and
 * the 99th percentile of calls made during the push fell from 12-13 ms (4 MiB) to 10-11 ms (2 MiB).
 * So 2 MiB: full speed, the least queued in front of calls, and the least held at a `via` hop.
 */
export const WINDOW_SIZE = 2 * 1024 * 1024;
/** A sender writes no data frame while more than this waits in its stream's socket, so calls pass. */
const QUEUE_LIMIT = 512 * 1024;

/** A file error as it travels: Node's fields, with the path the user named (never a temporary one). */
export interface FileErrorInfo {
  code: string;
  errno: number | undefined;
  syscall: string | undefined;
  path: string;
  message: string;
  /** For a transfer that ended because its channel did: the ChannelError reason ('disconnected', ...). */
  reason?: string;
}

/** What a finished transfer moved. */
export interface TransferResult {
  bytes: number;
  sha256: string;
}

/** The text of a Node fs error without its code and path: "no such file or directory". */
export function describeError(error: Error): string {
  return error.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/s, '');
}

/** Turns a thrown fs error (or any error) into the travelling shape, naming `path` in place of the temporary. */
export function errorInfo(error: unknown, path: string): FileErrorInfo {
  const { code, errno, syscall } = error as NodeJS.ErrnoException;
  if (typeof code === 'string' && typeof syscall === 'string') {
    return { code, errno, syscall, path, message: `${code}: ${describeError(error as Error)}, ${syscall} '${path}'` };
  }
  return { code: typeof code === 'string' ? code : 'ERR_X_REMOTE_FILE', errno: undefined, syscall: undefined, path, message: `${(error as Error)?.message ?? String(error)} ('${path}')` };
}

/** The error a transfer ends with when the bytes that arrived are not the bytes that were sent. */
export function mismatch(path: string, what: string): FileErrorInfo {
  return { code: 'ERR_X_REMOTE_FILE_MISMATCH', errno: undefined, syscall: undefined, path, message: `${what} for '${path}': the transfer was corrupted or the source changed; nothing was written` };
}

/** Senders waiting for a stream's socket to drain, woken in the order they came: one listener per socket, however many transfers. */
const waiting = new WeakMap<object, (() => void)[]>();

function drainWaiters(socket: Stream['socket']): (() => void)[] {
  let waiters = waiting.get(socket);
  if (waiters === undefined) {
    const list: (() => void)[] = [];
    const wake = (): void => {
      for (const resolve of list.splice(0)) resolve();
    };
    socket.on('drain', wake);
    socket.on('close', wake);
    waiting.set(socket, (waiters = list));
  }
  return waiters;
}

/** A handle for one transfer's frames: only `peer` may send to it, and its disconnection ends it. */
function peerHandle(router: RouterCore, peer: number, fn: (frame: Frame) => void): number {
  return router.allocate({ kind: 'transfer', peers: peer, persist: true, respondent: peer, fn });
}

/** A dead message on a transfer's handle: its channel ended ('disconnected', 'shutdown', ...). */
function channelFailure(frame: Frame, path: string): FileErrorInfo {
  const text = frame.payload.toString('utf8');
  const cut = text.indexOf('\n');
  const reason = cut < 0 ? text : text.slice(0, cut);
  return { code: 'ERR_X_REMOTE_CHANNEL', errno: undefined, syscall: undefined, path, reason, message: `the transfer of '${path}' ended: ${cut < 0 ? text : text.slice(cut + 1)}` };
}

/** Where a Sink puts the bytes: a file (temporary, then renamed) or a stream. */
export interface SinkTarget {
  /** Writes `data` at `position`; resolves once written (or once the consumer took it, for a stream). */
  write(data: Buffer, position: number): Promise<void> | void;
  /** Makes the bytes final (fsync and rename for a file). */
  commit(): Promise<void>;
  /** Drops everything written (the transfer failed); never throws. */
  discard(): void;
}

/** How a Sink ends: an error (`here`: it happened in this process, writing) or the result. */
export type SinkDone = (error: FileErrorInfo | undefined, result?: TransferResult, here?: boolean) => void;

type SinkMessage = ['end', number, string] | ['abort', FileErrorInfo];

/**
 * The receiving end: data frames on its handle from one peer, written in order, acknowledged as they
 * land so the peer keeps at most a window in flight; an 'end' message with the size and sha256
 * commits or fails the transfer. A peer that disconnects or aborts discards what was written.
 */
export class Sink {
  readonly handle: number;
  readonly #router: RouterCore;
  readonly #peer: number;
  readonly #target: SinkTarget;
  readonly #path: string;
  readonly #hash: Hash = createHash('sha256');
  /** Where the peer hears acknowledgements; unknown until the peer's source is open (fetches). */
  #ackHandle: number | undefined;
  #received = 0;
  #written = 0;
  #acked = 0;
  #pending = 0;
  #failed: FileErrorInfo | undefined;
  #ended = false;
  #idle: (() => void) | undefined;
  readonly #onDone: SinkDone;

  constructor(router: RouterCore, peer: number, target: SinkTarget, path: string, ackHandle: number | undefined, onDone: SinkDone = () => {}) {
    this.#router = router;
    this.#peer = peer;
    this.#target = target;
    this.#path = path;
    this.#ackHandle = ackHandle;
    this.#onDone = onDone;
    this.handle = peerHandle(router, peer, (frame) => this.#onFrame(frame));
  }

  /** The peer's acknowledgement handle, once known; acknowledges what landed before it was. */
  setAckHandle(handle: number): void {
    this.#ackHandle = handle;
    if (this.#failed === undefined) {
      this.#ack(true);
      return;
    }
    // It failed (or was aborted) before the peer's source was known: stop that source now.
    try {
      this.#router.send(this.#peer, handle, 0, this.#failed);
    } catch {
      // The peer is gone already.
    }
  }

  /** Ends the transfer from this side (the consumer went away, a local failure). */
  abort(error: FileErrorInfo): void {
    if (this.#ended) return;
    this.#fail(error, true);
  }

  #onFrame(frame: Frame): void {
    if (this.#ended) return;
    if (frame.encoding === ENCODING_RAW) {
      this.#data(frame.payload);
      return;
    }
    if (frame.encoding === ENCODING_DEAD) {
      this.#fail(channelFailure(frame, this.#path), false);
      return;
    }
    const message = this.#router.decode(frame) as SinkMessage;
    if (message[0] === 'abort') this.#fail(message[1], false);
    else void this.#end(frame, message[1], message[2]);
  }

  #data(payload: Buffer): void {
    if (this.#failed !== undefined) return;
    const position = this.#received;
    this.#received += payload.length;
    this.#hash.update(payload);
    this.#pending++;
    let written: Promise<void> | void;
    try {
      written = this.#target.write(payload, position);
    } catch (error) {
      this.#fail(errorInfo(error, this.#path), true);
      return;
    }
    if (written === undefined) this.#landed(payload.length);
    else written.then(() => this.#landed(payload.length), (error: unknown) => this.#fail(errorInfo(error, this.#path), true));
  }

  /** Hears the bytes written so far, each time more landed. */
  onProgress: ((bytes: number) => void) | undefined;

  #landed(length: number): void {
    this.#pending--;
    this.#written += length;
    this.#ack(this.#pending === 0);
    if (this.#pending === 0) this.#idle?.();
    this.onProgress?.(this.#written);
  }

  /** Acknowledges in quarter windows (or whatever landed once nothing is pending), so acks stay rare. */
  #ack(flush: boolean): void {
    if (this.#ackHandle === undefined || this.#failed !== undefined) return;
    const unacked = this.#written - this.#acked;
    if (unacked === 0 || (!flush && unacked < WINDOW_SIZE / 4)) return;
    this.#acked = this.#written;
    try {
      this.#router.send(this.#peer, this.#ackHandle, 0, this.#written);
    } catch {
      // The peer is gone: its disconnection reaches this sink's handle as a dead message.
    }
  }

  async #end(frame: Frame, size: number, sha256: string): Promise<void> {
    if (this.#pending > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    if (this.#failed !== undefined) {
      this.#router.reply(frame, true, { error: this.#failed });
      return;
    }
    const digest = this.#hash.digest('hex');
    let failure: FileErrorInfo | undefined;
    if (size !== this.#received) failure = mismatch(this.#path, `${this.#received} bytes arrived of ${size} sent`);
    else if (digest !== sha256) failure = mismatch(this.#path, `sha256 ${digest} of what arrived is not ${sha256} of what was sent`);
    if (failure !== undefined) {
      this.#fail(failure, false);
      this.#router.reply(frame, true, { error: failure });
      return;
    }
    try {
      await this.#target.commit();
    } catch (error) {
      const info = errorInfo(error, this.#path);
      this.#fail(info, false);
      this.#router.reply(frame, true, { error: info });
      return;
    }
    const result = { bytes: size, sha256: digest };
    this.#finish(undefined, result);
    this.#router.reply(frame, true, result);
  }

  /** Fails the transfer once: the target is discarded and the handle removed (a later 'end' gets a dead reply, after this error). */
  #fail(error: FileErrorInfo, tellPeer: boolean): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    this.#target.discard();
    // An 'end' waiting for writes that will never land answers now, with this error.
    this.#idle?.();
    if (tellPeer && this.#ackHandle !== undefined) {
      try {
        this.#router.send(this.#peer, this.#ackHandle, 0, error);
      } catch {
        // The peer is gone already.
      }
    }
    this.#finish(error, undefined, tellPeer);
  }

  #finish(error: FileErrorInfo | undefined, result?: TransferResult, here = false): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#router.removeHandler(this.handle);
    this.#onDone(error, result, here);
  }
}

/**
 * The sending end: data frames to a peer's Sink, at most a window unacknowledged, and never while the
 * stream towards the peer has more than a few chunks queued (so calls and other transfers pass).
 * Each chunk's `release` runs once the peer acknowledged it, so the caller can reuse its buffer.
 */
export class Source {
  /** Where the peer's Sink sends acknowledgements. */
  readonly ackHandle: number;
  readonly #router: RouterCore;
  readonly #peer: number;
  readonly #path: string;
  readonly #chunkSize: number;
  readonly #hash: Hash = createHash('sha256');
  readonly #releases: { until: number; release: () => void }[] = [];
  #sinkHandle = 0;
  #sent = 0;
  #acked = 0;
  #failure: unknown;
  #wake: (() => void) | undefined;
  #done = false;
  #abortedWith: FileErrorInfo | undefined;

  /** `failure` makes the errors: the peer's FileErrorInfo, or a ChannelError when it disconnected. */
  constructor(router: RouterCore, peer: number, path: string, readonly failure: (info: FileErrorInfo) => unknown) {
    this.#router = router;
    this.#peer = peer;
    this.#path = path;
    this.#chunkSize = Math.min(CHUNK_SIZE, router.maxMessageSize);
    this.ackHandle = peerHandle(router, peer, (frame) => this.#onAck(frame));
  }

  /** Hears the bytes the peer has written so far, at each acknowledgement. */
  onProgress: ((bytes: number) => void) | undefined;

  /** The peer's Sink handle, once known (pushes learn it from the call that opened the sink). */
  set sinkHandle(handle: number) {
    this.#sinkHandle = handle;
    // Aborted while the sink was being opened: it must hear so, or its temporary would stay.
    if (this.#abortedWith !== undefined) this.#tellAbort(this.#abortedWith);
  }

  #onAck(frame: Frame): void {
    if (frame.encoding === ENCODING_DEAD) {
      this.#abandon(this.failure(channelFailure(frame, this.#path)));
      return;
    }
    const value = this.#router.decode(frame) as number | FileErrorInfo;
    if (typeof value !== 'number') {
      this.#abandon(this.failure(value));
      return;
    }
    this.#acked = Math.max(this.#acked, value);
    while (this.#releases.length > 0 && this.#releases[0]!.until <= this.#acked) this.#releases.shift()!.release();
    this.#wake?.();
    this.onProgress?.(this.#acked);
  }

  #abandon(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#stop();
    this.#wake?.();
  }

  #stop(): void {
    this.#done = true;
    this.#router.removeHandler(this.ackHandle);
    for (const { release } of this.#releases.splice(0)) release();
  }

  /**
   * Sends `data` (any length; split into chunks), resolving once more may be sent; `release` runs when
   * all of it was acknowledged. @throws the transfer's error once it failed.
   */
  async send(data: Buffer, release?: () => void): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    this.#hash.update(data);
    for (let offset = 0; offset < data.length; offset += this.#chunkSize) {
      await this.#room();
      const chunk = offset === 0 && data.length <= this.#chunkSize ? data : data.subarray(offset, offset + this.#chunkSize);
      this.#router.sendPayload(this.#peer, this.#sinkHandle, 0, ENCODING_RAW, chunk);
      this.#sent += chunk.length;
    }
    if (release !== undefined) {
      if (this.#acked >= this.#sent) release();
      else this.#releases.push({ until: this.#sent, release });
    }
  }

  async #room(): Promise<void> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#sent - this.#acked >= WINDOW_SIZE) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      const socket = this.#router.routeFor(this.#peer)?.socket;
      if (socket === undefined || !(socket.writableLength >= QUEUE_LIMIT) || socket.destroyed === true) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        drainWaiters(socket).push(resolve);
      });
    }
  }

  /** Sends the size and sha256 and waits for the peer to commit. @throws the transfer's error. */
  async end(): Promise<TransferResult> {
    if (this.#failure !== undefined) throw this.#failure;
    const sha256 = this.#hash.digest('hex');
    let answer: TransferResult | { error: FileErrorInfo };
    try {
      answer = (await this.#router.request(this.#peer, this.#sinkHandle, ['end', this.#sent, sha256])) as TransferResult | { error: FileErrorInfo };
    } catch (error) {
      // An error the sink sent on the acknowledgement handle arrived first and says more than the dead reply.
      throw this.#failure ?? error;
    } finally {
      if (!this.#done) this.#stop();
    }
    if ('error' in answer) throw this.failure(answer.error);
    return answer;
  }

  /** Gives up with `error` (a local read failed, the caller aborted): the peer discards what it wrote. Never throws. */
  abort(error: FileErrorInfo): void {
    if (this.#done) return;
    this.#stop();
    if (this.#failure === undefined) this.#failure = this.failure(error);
    this.#abortedWith = error;
    if (this.#sinkHandle !== 0) this.#tellAbort(error);
    // A send waiting for room (acks, which can no longer arrive: the handle is gone) must hear it now.
    this.#wake?.();
  }

  #tellAbort(error: FileErrorInfo): void {
    try {
      this.#router.send(this.#peer, this.#sinkHandle, 0, ['abort', error]);
    } catch {
      // The peer is gone: it discarded the transfer itself.
    }
  }
}
