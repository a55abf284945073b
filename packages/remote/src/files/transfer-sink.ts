// The receiving end of a byte transfer (see transfer.ts): it writes what one peer sends, in order and
// bounded by the window, and commits only what that peer declared and hashed.
import { type FileErrorInfo, brokenProtocol, errorInfo, mismatch, untrustedInfo } from './file-info.js';
import { ENCODING_DEAD, ENCODING_RAW, type Frame } from '../wire/frame.js';
import type { RouterCore } from '../calls/router-core.js';
import type { TransferResult } from '../calls/file-options.js';
import { type Checksum, type Digest, isDigest } from './digest.js';
import { CHUNK_SIZE, WINDOW_SIZE, channelFailure, isSize, peerHandle } from './transfer.js';

/** Data frames smaller than this are copied together while they wait, so many tiny frames cost no more than their bytes. */
const SMALL_FRAME = 64 * 1024;

/** Where a Sink puts the bytes: a file (temporary, then renamed) or a stream. */
export interface SinkTarget {
  /**
   * Writes the pieces of `data`, in order, at `position`; resolves once written (or once the consumer
   * took them, for a stream). Called one at a time. Pieces, not one buffer: frames that piled up are
   * written as they arrived (writev), never copied together first.
   */
  write(data: Buffer[], position: number): Promise<void> | void;
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
 * size and digest commits or fails the transfer. A peer that disconnects or aborts discards what was
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
  readonly #checksum: Checksum;
  readonly #hash: Digest;
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

  /** `hash`: a fresh running hash of `checksum`, the one the peer's Source hashes by. */
  constructor(router: RouterCore, peer: number, target: SinkTarget, path: string, checksum: Checksum, hash: Digest, ackHandle: number | undefined, onDone: SinkDone = () => {}) {
    this.#router = router;
    this.#checksum = checksum;
    this.#hash = hash;
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
    this.#tell(this.#failed);
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
    } else if (Array.isArray(message) && message.length === 3 && message[0] === 'end' && isSize(message[1]) && isDigest(this.#checksum, message[2])) {
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
      let length = 0;
      for (const piece of batch) length += piece.length;
      try {
        await this.#target.write(batch, this.#written);
      } catch (error) {
        this.#fail(errorInfo(error, this.#path), true, true);
        break;
      }
      if (this.#failed !== undefined) break;
      this.#written += length;
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

  async #end(frame: Frame, size: number, sent: string): Promise<void> {
    if (this.#writing || this.#queue.length > 0 || this.#gathered > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    if (this.#failed !== undefined) {
      const failed = this.#failed;
      await this.#discarded;
      this.#router.reply(frame, true, { error: failed });
      return;
    }
    const digest = this.#hash.digest();
    let failure: FileErrorInfo | undefined;
    if (this.#declared !== undefined && size !== this.#declared) failure = brokenProtocol(this.#path, `ended at ${size} bytes after declaring ${this.#declared}`);
    else if (size !== this.#received) failure = mismatch(this.#path, `${this.#received} bytes arrived of ${size} sent`);
    else if (digest !== sent) failure = mismatch(this.#path, `${this.#checksum} ${digest} of what arrived is not ${sent} of what was sent`);
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
    const result: TransferResult = { bytes: size, checksum: this.#checksum, digest, changed: true };
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
    if (tellPeer) this.#tell(error);
    this.#finish(error, undefined, here);
  }

  /** Tells the peer's source (once known) that the transfer failed, once the target is gone: nothing is left when it hears. */
  #tell(error: FileErrorInfo): void {
    void this.#discarded.then(() => {
      if (this.#ackHandle === undefined) return;
      try {
        this.#router.send(this.#peer, this.#ackHandle, 0, error);
      } catch {
        // The peer is gone already.
      }
    });
  }

  #finish(error: FileErrorInfo | undefined, result?: TransferResult, here = false): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#router.removeHandler(this.handle);
    if (error === undefined) this.#onDone(error, result, here);
    else void this.#discarded.then(() => this.#onDone(error, result, here));
  }
}
