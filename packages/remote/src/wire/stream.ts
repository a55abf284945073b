import type { Socket } from 'node:net';
import type { Payload } from './codec.js';
import { type Frame, FrameDecoder, HEADER_SIZE, writeHeader } from './frame.js';

/** Payloads up to this size are copied behind their header into the batch; larger ones are written as they are. */
const COALESCE_LIMIT = 16 * 1024;
/**
 * The frames written in one turn of the event loop leave together once its microtasks have run, or as
 * soon as this many bytes wait: 1,000 calls made at once are a few writes, not 1,000, and a large
 * payload is never held back.
 */
const BATCH_LIMIT = 64 * 1024;
/**
 * Headers and small payloads are copied into one buffer shared by every stream (a controller of
 * 1,000 contexts holds one, not 1,000), each stream's batch a run of it; a slice handed to a socket is
 * never written again, and a full slab is replaced, not reused.
 */
const SLAB_SIZE = 64 * 1024;
let slab = Buffer.allocUnsafe(SLAB_SIZE);
let slabFill = 0;
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
 * One connection to a neighbouring context: frames in through a decoder, frames out gathered into
 * one write per batch (no copy of large payloads). A bad or oversized frame disconnects it.
 *
 * Writes never wait: a call or a reply goes out with its batch (see `#send`), whatever the queue, so
 * calls are never starved. Producers of bulk
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
  /** This stream's current run of the shared slab: `#runStart` to `#runEnd` of `#run`. */
  #run: Buffer | undefined;
  #runStart = 0;
  #runEnd = 0;
  /** Cut slices of the slab and large payloads, in the order written; what the next flush hands the socket. */
  #parts: Buffer[] = [];
  #batched = 0;
  #flushDue = false;
  readonly #flushDueNow = (): void => {
    this.#flushDue = false;
    this.#flush();
  };

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
    return this.queued >= BACKED_UP && this.closedReason === undefined;
  }

  /** Bytes written and not yet handed to the kernel (the batch not yet written included). */
  get queued(): number {
    return this.socket.writableLength + this.#batched;
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

  /**
   * Adds a frame to the batch. A write request per frame cost a syscall and a callback apiece; the batch
   * is one write (headers and small payloads copied once into the slab, large payloads referenced, not
   * copied) in a microtask queued by its first frame, or at once when BATCH_LIMIT bytes wait. The
   * microtask runs before the code that awaited a send goes on, so a send awaited, then a block of
   * synchronous work, still leaves first.
   */
  #send(fields: Omit<Frame, 'payload'>, payload: Payload, length: number): boolean {
    if (this.closedReason !== undefined) return false;
    const inline = !Array.isArray(payload) && length <= COALESCE_LIMIT;
    const size = inline ? HEADER_SIZE + length : HEADER_SIZE;
    // A run continues only while nothing else was written to the slab behind it.
    if (this.#run !== slab || this.#runEnd !== slabFill || slab.length - slabFill < size) {
      this.#cut();
      if (slab.length - slabFill < size) {
        slab = Buffer.allocUnsafe(SLAB_SIZE);
        slabFill = 0;
      }
      this.#run = slab;
      this.#runStart = slabFill;
    }
    writeHeader(slab, slabFill, fields, length);
    if (inline) (payload as Buffer).copy(slab, slabFill + HEADER_SIZE);
    slabFill += size;
    this.#runEnd = slabFill;
    this.#batched += size;
    if (!inline) {
      this.#cut();
      if (Array.isArray(payload)) for (const part of payload) this.#parts.push(part);
      else this.#parts.push(payload);
      this.#batched += length;
    }
    if (this.#batched >= BATCH_LIMIT) {
      this.#flush();
    } else if (!this.#flushDue) {
      this.#flushDue = true;
      queueMicrotask(this.#flushDueNow);
    }
    return true;
  }

  /** Ends this stream's run of the slab: its bytes now belong to the batch and are never written again. */
  #cut(): void {
    if (this.#run === undefined) return;
    if (this.#runEnd > this.#runStart) this.#parts.push(this.#run.subarray(this.#runStart, this.#runEnd));
    this.#run = undefined;
  }

  /** Hands the batch to the socket: one write (a writev when it holds large payloads). */
  #flush(): void {
    this.#cut();
    const parts = this.#parts;
    if (parts.length === 0) return;
    this.#parts = [];
    this.#batched = 0;
    if (this.closedReason !== undefined) return;
    if (parts.length === 1) {
      this.socket.write(parts[0]!);
      return;
    }
    this.socket.cork();
    for (const part of parts) this.socket.write(part);
    this.socket.uncork();
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
    } else if (this.queued > this.#forwardLimit()) {
      this.close(`it did not read its stream: ${this.queued} bytes waited for it (more than maxMessageSize and 8 MiB)`);
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
    // What was written before still goes out, as far as the socket takes it at once.
    this.#flush();
    this.closedReason = reason;
    this.socket.destroy();
    this.#wakeDrained?.();
    this.#onClose(this, reason);
  }

  /** Flushes what was written, then closes the write side. */
  end(): void {
    this.#flush();
    this.socket.end();
  }
}
