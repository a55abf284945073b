// The sending end of a byte transfer (see transfer.ts): at most a window unacknowledged, nothing while
// the stream is backed up, and no acknowledgement or answer believed that does not match what was sent.
import { type FileErrorInfo, brokenProtocol, untrustedInfo } from './file-info.js';
import { ENCODING_DEAD, ENCODING_RAW, type Frame } from '../wire/frame.js';
import type { RouterCore } from '../calls/router-core.js';
import type { TransferResult } from '../calls/file-options.js';
import type { Checksum, Digest } from './digest.js';
import { CHUNK_SIZE, WINDOW_SIZE, channelFailure, isSize, peerHandle } from './transfer.js';

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
  readonly #checksum: Checksum;
  readonly #hash: Digest;
  readonly #releases: { until: number; release: () => void }[] = [];
  #sinkHandle = 0;
  #sent = 0;
  #acked = 0;
  #failure: unknown;
  #wake: (() => void) | undefined;
  #done = false;
  #abortedWith: FileErrorInfo | undefined;

  /**
   * `failure` makes the errors: the peer's FileErrorInfo, or a ChannelError when it disconnected.
   * `hash`: a fresh running hash of `checksum`, the one the peer's Sink checks by.
   */
  constructor(router: RouterCore, peer: number, path: string, checksum: Checksum, hash: Digest, readonly failure: (info: FileErrorInfo) => unknown) {
    this.#router = router;
    this.#checksum = checksum;
    this.#hash = hash;
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

  /** Sends the size and digest and waits for the peer to commit. @throws the transfer's error. */
  async end(): Promise<TransferResult> {
    if (this.#failure !== undefined) throw this.#failure;
    const digest = this.#hash.digest();
    let answer: unknown;
    try {
      answer = await this.#router.request(this.#peer, this.#sinkHandle, ['end', this.#sent, digest]);
    } catch (error) {
      // An error the sink sent on the acknowledgement handle arrived first and says more than the dead reply.
      throw this.#failure ?? error;
    } finally {
      if (!this.#done) this.#stop();
    }
    if (typeof answer === 'object' && answer !== null && 'error' in answer) throw this.failure(untrustedInfo(answer.error, this.#path));
    const { bytes, checksum, digest: theirs } = (answer ?? {}) as Partial<TransferResult>;
    // The peer's word that it committed; what it committed is what was sent, or it says otherwise.
    if (bytes !== this.#sent || checksum !== this.#checksum || theirs !== digest) throw this.failure(brokenProtocol(this.#path, 'answered the end with something other than what was sent'));
    return { bytes: this.#sent, checksum: this.#checksum, digest, changed: true };
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
