import type { Socket } from 'node:net';
import type { Payload } from './codec.js';
import { type Frame, FrameDecoder, HEADER_SIZE, encodeHeader } from './frame.js';

/** Payloads up to this size are copied behind their header into one write; larger ones go as two (writev). */
const COALESCE_LIMIT = 16 * 1024;

/**
 * One connection to a neighbouring context: frames in through a decoder, frames out with the header
 * and payload written together (no copy of large payloads). A bad or oversized frame disconnects it.
 */
export class Stream {
  /** The id of the context at the other end (learnt from the bootstrap inside a context). */
  remoteId: number;
  /** Why the stream ended, once it has. */
  closedReason: string | undefined;
  /** The socket under the stream: transfers look at its queue to leave room for calls. */
  readonly socket: Socket;
  readonly #decoder: FrameDecoder;
  readonly #onClose: (stream: Stream, reason: string) => void;

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

  /** Writes one frame whose payload has `length` bytes; false when the stream is already closed. */
  write(fields: Omit<Frame, 'payload'>, payload: Payload, length: number): boolean {
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

  /** Forwards a frame unchanged (routing through this context). */
  forward(frame: Frame): boolean {
    return this.write(frame, frame.payload, frame.payload.length);
  }

  /** Ends the stream (idempotent); the router hears about it once. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.socket.destroy();
    this.#onClose(this, reason);
  }

  /** Flushes what was written, then closes the write side. */
  end(): void {
    this.socket.end();
  }
}
