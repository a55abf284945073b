/**
 * The frame: a fixed 28-byte header, then `length` bytes of payload. All integers are big-endian.
 *
 * | offset | size | field    | meaning                                                        |
 * |--------|------|----------|----------------------------------------------------------------|
 * | 0      | 1    | magic    | 0x58 ('X'); anything else is corruption                        |
 * | 1      | 1    | version  | 1                                                              |
 * | 2      | 1    | encoding | 0 v8, 1 raw bytes, 2 dead (UTF-8 reason), 3 v8 + raw segments  |
 * | 3      | 1    | flags    | 0 (reserved: a frame with other flags is refused)              |
 * | 4      | 4    | dst      | the context the message is for                                 |
 * | 8      | 4    | src      | the context it comes from (replies go there)                   |
 * | 12     | 4    | auth     | the context whose authority it carries                         |
 * | 16     | 4    | handle   | the handle at dst it is for                                    |
 * | 20     | 4    | replyTo  | the handle at src a reply goes to; 0 for none                  |
 * | 24     | 4    | length   | the payload's length                                           |
 */
export const HEADER_SIZE = 28;
export const MAGIC = 0x58;
export const VERSION = 1;

export const ENCODING_V8 = 0;
export const ENCODING_RAW = 1;
export const ENCODING_DEAD = 2;
/** A 4-byte length, that many bytes of v8 serializer output, then raw byte segments it refers to (codec.ts). */
export const ENCODING_V8_SEGMENTS = 3;

/** One message as it travels. `payload` may be a view into a larger buffer the decoder read. */
export interface Frame {
  encoding: number;
  dst: number;
  src: number;
  auth: number;
  handle: number;
  replyTo: number;
  payload: Buffer;
}

/** Writes the header of `frame` (whose payload has `length` bytes) into a new 28-byte buffer. */
export function encodeHeader(frame: Omit<Frame, 'payload'>, length: number): Buffer {
  const header = Buffer.allocUnsafe(HEADER_SIZE);
  writeHeader(header, 0, frame, length);
  return header;
}

/** Writes the header of `frame` (whose payload has `length` bytes) into `target` at `at`. */
export function writeHeader(target: Buffer, at: number, frame: Omit<Frame, 'payload'>, length: number): void {
  target[at] = MAGIC;
  target[at + 1] = VERSION;
  target[at + 2] = frame.encoding;
  target[at + 3] = 0;
  target.writeUInt32BE(frame.dst, at + 4);
  target.writeUInt32BE(frame.src, at + 8);
  target.writeUInt32BE(frame.auth, at + 12);
  target.writeUInt32BE(frame.handle, at + 16);
  target.writeUInt32BE(frame.replyTo, at + 20);
  target.writeUInt32BE(length, at + 24);
}

/** Why a byte stream cannot be decoded: the stream must be disconnected. */
export class FrameError extends Error {
  readonly code: 'ERR_X_REMOTE_BAD_FRAME' | 'ERR_X_REMOTE_FRAME_TOO_LARGE';
  constructor(code: FrameError['code'], message: string) {
    super(message);
    this.code = code;
  }
}
Object.defineProperty(FrameError.prototype, 'name', { value: 'FrameError' });

/**
 * Turns a byte stream into frames. Small frames inside one chunk are views into it (no copy); a frame
 * spanning chunks is copied once into a buffer of exactly its length, allocated only after its header
 * was checked against `maxMessageSize`, so a hostile length can never make it allocate more.
 */
export class FrameDecoder {
  /** The largest payload accepted; a larger length in a header is an error before anything is allocated. */
  maxMessageSize: number;
  readonly #header = Buffer.allocUnsafe(HEADER_SIZE);
  #headerFill = 0;
  #pending: Frame | undefined;
  #payloadFill = 0;

  constructor(maxMessageSize: number) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Whether the decoder is between frames (a stream that ends now ends cleanly). */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#pending === undefined;
  }

  /**
   * Feeds `chunk`, calling `onFrame` for every frame it completes.
   * @throws FrameError on a bad magic, version, encoding or flags, or a length over the maximum.
   */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let offset = 0;
    const end = chunk.length;
    while (offset < end) {
      const pending = this.#pending;
      if (pending !== undefined) {
        const want = pending.payload.length - this.#payloadFill;
        const take = Math.min(want, end - offset);
        chunk.copy(pending.payload, this.#payloadFill, offset, offset + take);
        this.#payloadFill += take;
        offset += take;
        if (this.#payloadFill === pending.payload.length) {
          this.#pending = undefined;
          onFrame(pending);
        }
        continue;
      }
      let header: Buffer;
      let headerAt: number;
      if (this.#headerFill === 0 && end - offset >= HEADER_SIZE) {
        header = chunk;
        headerAt = offset;
        offset += HEADER_SIZE;
      } else {
        const take = Math.min(HEADER_SIZE - this.#headerFill, end - offset);
        chunk.copy(this.#header, this.#headerFill, offset, offset + take);
        this.#headerFill += take;
        offset += take;
        if (this.#headerFill < HEADER_SIZE) return;
        this.#headerFill = 0;
        header = this.#header;
        headerAt = 0;
      }
      const length = this.#check(header, headerAt);
      const frame: Frame = {
        encoding: header[headerAt + 2]!,
        dst: header.readUInt32BE(headerAt + 4),
        src: header.readUInt32BE(headerAt + 8),
        auth: header.readUInt32BE(headerAt + 12),
        handle: header.readUInt32BE(headerAt + 16),
        replyTo: header.readUInt32BE(headerAt + 20),
        payload: EMPTY,
      };
      if (end - offset >= length) {
        frame.payload = chunk.subarray(offset, offset + length);
        offset += length;
        onFrame(frame);
      } else {
        frame.payload = Buffer.allocUnsafe(length);
        this.#payloadFill = 0;
        this.#pending = frame;
      }
    }
  }

  #check(header: Buffer, at: number): number {
    if (header[at] !== MAGIC || header[at + 1] !== VERSION) {
      const got = header.subarray(at, at + 2).toString('hex');
      throw new FrameError('ERR_X_REMOTE_BAD_FRAME', `Bad frame header (magic/version 0x${got}, want 0x5801): the stream is corrupt or not an @x/remote channel.`);
    }
    if (header[at + 2]! > ENCODING_V8_SEGMENTS || header[at + 3] !== 0) {
      throw new FrameError('ERR_X_REMOTE_BAD_FRAME', `Bad frame header (encoding ${header[at + 2]}, flags ${header[at + 3]}): the peer speaks another protocol version.`);
    }
    const length = header.readUInt32BE(at + 24);
    if (length > this.maxMessageSize) {
      throw new FrameError('ERR_X_REMOTE_FRAME_TOO_LARGE', `A frame of ${length} bytes exceeds maxMessageSize (${this.maxMessageSize}); the stream was disconnected.`);
    }
    return length;
  }
}

const EMPTY = Buffer.alloc(0);
