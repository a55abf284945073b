import type { Socket } from 'node:net';
import type { Payload } from './codec.js';
import { type Frame, FrameDecoder, HEADER_SIZE, encodeHeader } from './frame.js';

/** Payloads up to this size are copied behind their header into one write; larger ones go as two (writev). */
const COALESCE_LIMIT = 16 * 1024;
/**
 * Past this many bytes waiting in the socket, the stream is backed up: bulk producers (senders, log
 * relays, transfers) wait for it to drain and a hop stops reading the stream whose frames it forwards
 * here. Calls and replies are written whatever the queue, so they never wait behind bulk data for
 * more than this much. 512 KiB is the figure the file transfers measured (transfer.ts).
 */
export const BACKED_UP = 512 * 1024;
/** Beyond one largest message, what a child may leave unread of what a hop forwards to it. */
const FORWARD_SLACK = 8 * 1024 * 1024;

/**
 * One connection to a neighbouring context: frames in through a decoder, frames out with the header
 * and payload written together (no copy of large payloads). A bad or oversized frame disconnects it.
 *
 * Writes never wait: a call or a reply goes out at once, so calls are never starved. Producers of bulk
 * data look at `backedUp` and wait on `drained()` instead. A hop bounds what it forwards (`forward`):
 * upward it stops reading the stream a frame came from, downward it cuts off a child that does not read.
 */
export class Stream {
  /** The id of the context at the other end (learnt from the bootstrap inside a context). */
  remoteId: number;
  /** Why the stream ended, once it has. */
  closedReason: string | undefined;
  /** Whether this is a context's stream to its parent: forwarding onto it pauses the stream a frame came from. */
  leadsToParent = false;
  /** The socket under the stream: transfers look at its queue to leave room for calls. */
  readonly socket: Socket;
  readonly #decoder: FrameDecoder;
  readonly #onClose: (stream: Stream, reason: string) => void;
  /** Settles when the socket drains or closes; one per backed-up spell, shared by every waiter. */
  #drained: Promise<void> | undefined;
  #wakeDrained: (() => void) | undefined;
  /** The streams whose backed-up queue keeps this one from reading (frames from here were forwarded there). */
  readonly #blockers = new Set<Stream>();
  #batching = false;

  constructor(socket: Socket, remoteId: number, maxMessageSize: number, onFrame: (frame: Frame, stream: Stream) => void, onClose: (stream: Stream, reason: string) => void) {
    this.remoteId = remoteId;
    this.socket = socket;
    this.#decoder = new FrameDecoder(maxMessageSize);
    this.#onClose = onClose;
    const deliver = (frame: Frame): void => onFrame(frame, this);
    socket.on('data', (chunk: Buffer) => {
      if (this.closedReason !== undefined) return;
      try {
        this.#decoder.push(chunk, deliver);
      } catch (error) {
        this.close((error as Error).message);
      }
    });
    socket.on('end', () => this.close(this.#decoder.idle ? 'end of stream' : 'end of stream inside a frame'));
    socket.on('error', (error: Error) => this.close(`stream error: ${error.message}`));
    socket.on('close', () => this.close('stream closed'));
  }

  /** Changes the largest frame accepted (a context learns it from its bootstrap). */
  set maxMessageSize(size: number) {
    this.#decoder.maxMessageSize = size;
  }

  /** Whether bytes can still be written. */
  get writable(): boolean {
    return this.closedReason === undefined;
  }

  /** Whether more than BACKED_UP bytes wait in the socket: bulk producers should wait on `drained()`. */
  get backedUp(): boolean {
    return this.socket.writableLength >= BACKED_UP && this.closedReason === undefined;
  }

  /** Bytes written and not yet handed to the kernel. */
  get queued(): number {
    return this.socket.writableLength;
  }

  /**
   * Settles once the socket's queue has drained (or the stream closed): a producer that found the
   * stream `backedUp` awaits it. Every waiter shares one listener on the socket.
   */
  drained(): Promise<void> {
    if (!this.backedUp) return Promise.resolve();
    if (this.#drained === undefined) {
      // Past BACKED_UP the socket's own high-water mark (16 KiB) was passed too, so a 'drain' is due.
      this.#drained = new Promise<void>((resolve) => {
        const wake = (): void => {
          this.socket.off('drain', wake);
          this.socket.off('close', wake);
          this.#drained = undefined;
          this.#wakeDrained = undefined;
          resolve();
        };
        this.#wakeDrained = wake;
        this.socket.on('drain', wake);
        this.socket.on('close', wake);
      });
    }
    return this.#drained;
  }

  /**
   * Writes one frame whose payload has `length` bytes; false when the stream is already closed. A
   * child's stream that is backed up stops being read until it drains: a context that does not read
   * what it is sent (replies and refusals to its own requests included) gets no more of its frames read,
   * so no request of its can grow what waits here.
   */
  write(fields: Omit<Frame, 'payload'>, payload: Payload, length: number): boolean {
    if (!this.#send(fields, payload, length)) return false;
    if (!this.leadsToParent && this.backedUp) this.#blockBy(this);
    return true;
  }

  #send(fields: Omit<Frame, 'payload'>, payload: Payload, length: number): boolean {
    if (this.closedReason !== undefined) return false;
    const header = encodeHeader(fields, length);
    if (Array.isArray(payload)) {
      this.socket.cork();
      this.socket.write(header);
      for (const part of payload) this.socket.write(part);
      this.socket.uncork();
    } else if (payload.length <= COALESCE_LIMIT) {
      const whole = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
      header.copy(whole, 0);
      payload.copy(whole, HEADER_SIZE);
      this.socket.write(whole);
    } else {
      this.socket.cork();
      this.socket.write(header);
      this.socket.write(payload);
      this.socket.uncork();
    }
    return true;
  }

  /**
   * Gathers the frames written until the current tick ends into one write. Log relays call it: one read
   * of output becomes hundreds of small records, and one write request for all of them instead of one
   * apiece moved a 30 MB fd 1 flood about a quarter faster.
   */
  batchWrites(): void {
    if (this.#batching || this.closedReason !== undefined) return;
    this.#batching = true;
    this.socket.cork();
    process.nextTick(() => {
      this.#batching = false;
      this.socket.uncork();
    });
  }

  /**
   * Forwards a frame unchanged (routing through this context), and keeps what waits here bounded:
   *
   * - Toward the parent (this stream `leadsToParent`): once this stream is backed up, `from` stops
   *   reading until it drains, so the writer beyond `from` waits on its own socket and this hop holds
   *   one read chunk beyond BACKED_UP. Pausing keeps every frame (a dropped call or reply would hang
   *   its caller), and it is fair: the ancestors are trusted to read, and nothing waits in a circle
   *   (a stream waits only on one nearer the root, and the root forwards nothing upward).
   * - Toward a child: `from` is never paused, because a child that stops reading would then silence
   *   its parent and its siblings. A child that leaves more than maxMessageSize + 8 MiB unread instead
   *   loses its stream, as if it had died: a context that does not read gets nothing more.
   */
  forward(frame: Frame, from?: Stream): boolean {
    if (!this.write(frame, frame.payload, frame.payload.length)) return false;
    if (from === undefined || from === this || !this.backedUp) return true;
    if (this.leadsToParent) {
      from.#blockBy(this);
    } else if (this.socket.writableLength > this.#forwardLimit()) {
      this.close(`it did not read its stream: ${this.socket.writableLength} bytes waited for it (more than maxMessageSize and 8 MiB)`);
    }
    return true;
  }

  /** The most a child may leave unread: one largest message and room for windows beside it. */
  #forwardLimit(): number {
    return this.#decoder.maxMessageSize + FORWARD_SLACK;
  }

  #blockBy(out: Stream): void {
    if (this.#blockers.has(out) || this.closedReason !== undefined) return;
    this.#blockers.add(out);
    if (this.#blockers.size === 1) this.socket.pause();
    void out.drained().then(() => {
      this.#blockers.delete(out);
      if (this.#blockers.size === 0 && this.closedReason === undefined) this.socket.resume();
    });
  }

  /** Ends the stream (idempotent); the router hears about it once. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.socket.destroy();
    this.#wakeDrained?.();
    this.#onClose(this, reason);
  }

  /** Flushes what was written, then closes the write side. */
  end(): void {
    this.socket.end();
  }
}
