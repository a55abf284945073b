// The two ends of a byte transfer between contexts, used on both sides: the root runs them for its
// own files and ships this module (through file-endpoint.ts) to a context on its first transfer, so
// the core sent on every connect stays small. Only node: built-ins and small relative modules here.
//
// Each end trusts nothing the other sends: a sink refuses more than a window unacknowledged, bytes
// past the declared size and frames after the end; a source refuses acknowledgements of bytes it
// never sent and an answer that is not what it sent. A context can be compromised, and the root may
// be on either end.
import { createHash, type Hash } from 'node:crypto';
import { type FileErrorInfo, brokenProtocol, errorInfo, mismatch, untrustedInfo } from './file-info.js';
import { ENCODING_DEAD, ENCODING_RAW, type Frame } from './frame.js';
import type { RouterCore } from './router-core.js';

export { type FileErrorInfo, describeError, errorInfo, mismatch } from './file-info.js';

/** Bytes per data frame: large enough that per-frame costs vanish, small enough to interleave calls. */
export const CHUNK_SIZE = 256 * 1024;
/**
 * Unacknowledged bytes per transfer. Measured on this 2-core machine (512 MiB, three runs each): to a
 * local context 1, 2, 4, 8 and 16 MiB all moved 300-380 MiB/s (the hashing at both ends is the limit);
 * over ssh to localhost 1 MiB lost about 10% (195 against 220 MiB/s) while 2 and 4 MiB were equal, and
 * the 99th percentile of calls made during the push fell from 12-13 ms (4 MiB) to 10-11 ms (2 MiB).
 * So 2 MiB: full speed, the least queued in front of calls, and the least held at a `via` hop.
 * A sender never has more than this unacknowledged, and a sink fails a transfer that does.
 */
export const WINDOW_SIZE = 2 * 1024 * 1024;
/** Data frames smaller than this are copied together while they wait, so many tiny frames cost no more than their bytes. */
const SMALL_FRAME = 64 * 1024;
/** The largest size a transfer may declare or reach: where integers in a double stay exact. */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;

/** What a finished transfer moved. */
export interface TransferResult {
  bytes: number;
  sha256: string;
}

/** A handle for one transfer's frames: only `peer` may send to it, and its disconnection ends it. */
function peerHandle(router: RouterCore, peer: number, fn: (frame: Frame) => void): number {
  return router.allocate({ persist: true, respondent: peer, kind: 'transfer', peers: peer, fn });
}

/** A dead message on a transfer's handle: its channel ended ('disconnected', 'shutdown', ...). */
function channelFailure(frame: Frame, path: string): FileErrorInfo {
  const text = frame.payload.subarray(0, 2048).toString('utf8');
  const cut = text.indexOf('\n');
  return untrustedInfo({ code: 'ERR_X_REMOTE_CHANNEL', reason: cut < 0 ? text : text.slice(0, cut), message: `the transfer of '${path}' ended: ${cut < 0 ? text : text.slice(cut + 1)}` }, path);
}

function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SIZE;
}

/** Where a Sink puts the bytes: a file (temporary, then renamed) or a stream. */
export interface SinkTarget {
  /** Writes `data` at `position`; resolves once written (or once the consumer took it, for a stream). Called one at a time. */
  write(data: Buffer, position: number): Promise<void> | void;
  /** Makes the bytes final (fsync and rename for a file). */
  commit(): Promise<void>;
  /** Drops everything written (the transfer failed); never throws, and its promise never rejects. */
  discard(): void | Promise<void>;
}

/**
 * How a Sink ends: an error or the result. `here`: the error happened in this process (writing), so
 * it is this process's, not the peer's.
 */
export type SinkDone = (error: FileErrorInfo | undefined, result?: TransferResult, here?: boolean) => void;

/**
 * The receiving end: data frames on its handle from one peer, written in order one write at a time,
 * acknowledged as they land so the peer keeps at most a window in flight; an 'end' message with the
 * size and sha256 commits or fails the transfer. A peer that disconnects or aborts discards what was
 * written. What waits to be written is bounded by the window: a peer that sends more than a window
 * unacknowledged, past the size it declared, or after its end, fails the transfer
 * (ERR_X_REMOTE_FILE_PROTOCOL).
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
  /** The size the peer declared before sending (fetches: the source file's), if any. */
  #declared: number | undefined;
  #received = 0;
  #written = 0;
  #acked = 0;
  /** Bytes received and not yet handed to the target, in order; small frames gathered in #gather. */
  readonly #queue: Buffer[] = [];
  #gather: Buffer | undefined;
  #gathered = 0;
  #writing = false;
  #failed: FileErrorInfo | undefined;
  /** The peer sent its 'end': nothing may follow it. */
  #endSeen = false;
  /** The bytes were checked and are being made final: a late frame can no longer change them. */
  #committing = false;
  #ended = false;
  #idle: (() => void) | undefined;
  /** Settles once a failed transfer's target is gone: its error is told only then, so nothing is left when it is heard. */
  #discarded: Promise<void> = Promise.resolve();
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

  /** The size the peer declared: more bytes than this fail the transfer, and so does an end at another size. */
  expectSize(size: number): void {
    if (this.#ended) return;
    this.#declared = size;
    if (this.#received > size) this.#violation(`sent more than the ${size} bytes it declared`);
  }

  /** Ends the transfer from this side (the consumer went away, a local failure). */
  abort(error: FileErrorInfo): void {
    if (this.#ended) return;
    this.#fail(error, true, true);
  }

  /** Hears the bytes written so far, each time more landed. */
  onProgress: ((bytes: number) => void) | undefined;

  #onFrame(frame: Frame): void {
    if (this.#ended) return;
    if (frame.encoding === ENCODING_DEAD) {
      this.#fail(channelFailure(frame, this.#path), false, false);
      return;
    }
    if (this.#endSeen) {
      // Once committing, the checked bytes are final and a late frame is only dropped.
      if (!this.#committing) this.#violation('sent more after its end');
      return;
    }
    if (frame.encoding === ENCODING_RAW) {
      this.#data(frame.payload);
      return;
    }
    let message: unknown;
    try {
      message = this.#router.decode(frame);
    } catch {
      this.#violation('sent a message that does not decode');
      return;
    }
    if (Array.isArray(message) && message.length === 2 && message[0] === 'abort') {
      this.#fail(untrustedInfo(message[1], this.#path), false, false);
    } else if (Array.isArray(message) && message.length === 3 && message[0] === 'end' && isSize(message[1]) && typeof message[2] === 'string' && /^[0-9a-f]{64}$/.test(message[2])) {
      this.#endSeen = true;
      void this.#end(frame, message[1], message[2]);
    } else {
      this.#violation('sent a message that is neither data, an end nor an abort');
    }
  }

  #data(payload: Buffer): void {
    if (this.#failed !== undefined) return;
    if (payload.length === 0) return this.#violation('sent an empty data frame');
    this.#received += payload.length;
    if (this.#received - this.#acked > WINDOW_SIZE) return this.#violation(`sent more than ${WINDOW_SIZE} bytes unacknowledged`);
    if (this.#declared !== undefined && this.#received > this.#declared) return this.#violation(`sent more than the ${this.#declared} bytes it declared`);
    this.#hash.update(payload);
    if (payload.length >= SMALL_FRAME) {
      this.#flushGather();
      this.#queue.push(payload);
    } else {
      if (this.#gather === undefined || this.#gathered + payload.length > this.#gather.length) {
        this.#flushGather();
        this.#gather = Buffer.allocUnsafe(CHUNK_SIZE);
      }
      this.#gathered += payload.copy(this.#gather, this.#gathered);
    }
    if (!this.#writing) void this.#write();
  }

  #flushGather(): void {
    if (this.#gather === undefined || this.#gathered === 0) return;
    this.#queue.push(this.#gather.subarray(0, this.#gathered));
    this.#gather = undefined;
    this.#gathered = 0;
  }

  /** Hands what waits to the target, one write at a time (several frames at once when they piled up). */
  async #write(): Promise<void> {
    this.#writing = true;
    for (;;) {
      this.#flushGather();
      if (this.#queue.length === 0 || this.#failed !== undefined) break;
      const batch = this.#queue.splice(0);
      const data = batch.length === 1 ? batch[0]! : Buffer.concat(batch);
      try {
        await this.#target.write(data, this.#written);
      } catch (error) {
        this.#fail(errorInfo(error, this.#path), true, true);
        break;
      }
      if (this.#failed !== undefined) break;
      this.#written += data.length;
      this.#ack(this.#queue.length === 0 && this.#gathered === 0);
      this.onProgress?.(this.#written);
    }
    this.#writing = false;
    this.#idle?.();
  }

  /** Acknowledges in quarter windows (or whatever landed once nothing waits), so acks stay rare. */
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
    if (this.#writing || this.#queue.length > 0 || this.#gathered > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    if (this.#failed !== undefined) {
      const failed = this.#failed;
      await this.#discarded;
      this.#router.reply(frame, true, { error: failed });
      return;
    }
    const digest = this.#hash.digest('hex');
    let failure: FileErrorInfo | undefined;
    if (this.#declared !== undefined && size !== this.#declared) failure = brokenProtocol(this.#path, `ended at ${size} bytes after declaring ${this.#declared}`);
    else if (size !== this.#received) failure = mismatch(this.#path, `${this.#received} bytes arrived of ${size} sent`);
    else if (digest !== sha256) failure = mismatch(this.#path, `sha256 ${digest} of what arrived is not ${sha256} of what was sent`);
    if (failure !== undefined) {
      this.#fail(failure, false, false);
      await this.#discarded;
      this.#router.reply(frame, true, { error: failure });
      return;
    }
    this.#committing = true;
    try {
      await this.#target.commit();
    } catch (error) {
      const info = this.#failed ?? errorInfo(error, this.#path);
      this.#fail(info, false, true);
      await this.#discarded;
      this.#router.reply(frame, true, { error: info });
      return;
    }
    const result = { bytes: size, sha256: digest };
    this.#finish(undefined, result);
    this.#router.reply(frame, true, result);
  }

  /** The peer broke the protocol: the transfer fails, and the peer hears so (an honest one stops sending). */
  #violation(what: string): void {
    this.#fail(brokenProtocol(this.#path, what), true, false);
  }

  /**
   * Fails the transfer once: the target is discarded and the handle removed (a later 'end' gets a
   * dead reply, after this error). `here`: the failure is this process's own.
   */
  #fail(error: FileErrorInfo, tellPeer: boolean, here: boolean): void {
    if (this.#failed !== undefined) return;
    this.#failed = error;
    this.#queue.length = 0;
    this.#gather = undefined;
    this.#gathered = 0;
    this.#discarded = Promise.resolve(this.#target.discard()).catch(() => {});
    // An 'end' waiting for writes that will never land answers now, with this error.
    this.#idle?.();
    if (tellPeer && this.#ackHandle !== undefined) {
      try {
        this.#router.send(this.#peer, this.#ackHandle, 0, error);
      } catch {
        // The peer is gone already.
      }
    }
    this.#finish(error, undefined, here);
  }

  #finish(error: FileErrorInfo | undefined, result?: TransferResult, here = false): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#router.removeHandler(this.handle);
    if (error === undefined) this.#onDone(error, result, here);
    else void this.#discarded.then(() => this.#onDone(error, result, here));
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

  /** The bytes handed to send() so far. */
  get sent(): number {
    return this.#sent;
  }

  #onAck(frame: Frame): void {
    if (frame.encoding === ENCODING_DEAD) {
      this.#abandon(this.failure(channelFailure(frame, this.#path)));
      return;
    }
    let value: unknown;
    try {
      value = frame.encoding === ENCODING_RAW ? undefined : this.#router.decode(frame);
    } catch {
      value = undefined;
    }
    if (typeof value === 'object' && value !== null) {
      this.#abandon(this.failure(untrustedInfo(value, this.#path)));
      return;
    }
    if (!isSize(value) || value > this.#sent) {
      this.abort(brokenProtocol(this.#path, `acknowledged ${typeof value === 'number' ? `${value} bytes of the ${this.#sent} sent` : 'something that is not a byte count'}`));
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
      const chunk = offset === 0 && data.length <= this.#chunkSize ? data : data.subarray(offset, offset + this.#chunkSize);
      await this.#room(chunk.length);
      this.#router.sendPayload(this.#peer, this.#sinkHandle, 0, ENCODING_RAW, chunk);
      this.#sent += chunk.length;
    }
    if (release !== undefined) {
      if (this.#acked >= this.#sent) release();
      else this.#releases.push({ until: this.#sent, release });
    }
  }

  /** Waits until `length` more bytes keep the unacknowledged ones within the window, and the socket has room. */
  async #room(length: number): Promise<void> {
    for (;;) {
      if (this.#failure !== undefined) throw this.#failure;
      if (this.#sent - this.#acked + length > WINDOW_SIZE) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      // A backed-up stream (Stream.backedUp: more than 512 KiB waiting in its socket) gets no data
      // frame until it drains, so calls and other transfers pass; every waiter shares one listener.
      const stream = this.#router.routeFor(this.#peer);
      if (stream === undefined || !stream.backedUp) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        void stream.drained().then(resolve);
      });
    }
  }

  /** Sends the size and sha256 and waits for the peer to commit. @throws the transfer's error. */
  async end(): Promise<TransferResult> {
    if (this.#failure !== undefined) throw this.#failure;
    const sha256 = this.#hash.digest('hex');
    let answer: unknown;
    try {
      answer = await this.#router.request(this.#peer, this.#sinkHandle, ['end', this.#sent, sha256]);
    } catch (error) {
      // An error the sink sent on the acknowledgement handle arrived first and says more than the dead reply.
      throw this.#failure ?? error;
    } finally {
      if (!this.#done) this.#stop();
    }
    if (typeof answer === 'object' && answer !== null && 'error' in answer) throw this.failure(untrustedInfo(answer.error, this.#path));
    const { bytes, sha256: theirs } = (answer ?? {}) as Partial<TransferResult>;
    // The peer's word that it committed; what it committed is what was sent, or it says otherwise.
    if (bytes !== this.#sent || theirs !== sha256) throw this.failure(brokenProtocol(this.#path, 'answered the end with something other than what was sent'));
    return { bytes: this.#sent, sha256 };
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
