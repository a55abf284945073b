import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { type Frame, FrameDecoder, FrameError, HEADER_SIZE, encodeHeader } from '../src/wire/frame.js';

useLeakCheck();

const fields = { encoding: 0, dst: 7, src: 1, auth: 0xfffffffe, handle: 101, replyTo: 1234 };

function encode(payload: Buffer): Buffer {
  return Buffer.concat([encodeHeader(fields, payload.length), payload]);
}

describe('the frame', () => {
  it('has a 28-byte big-endian header: magic, version, encoding, flags, then dst, src, auth, handle, replyTo, length', () => {
    const header = encodeHeader(fields, 5);
    expect(header.length).toBe(HEADER_SIZE);
    expect([...header.subarray(0, 4)]).toEqual([0x58, 1, 0, 0]);
    expect([4, 8, 12, 16, 20, 24].map((offset) => header.readUInt32BE(offset))).toEqual([7, 1, 0xfffffffe, 101, 1234, 5]);
  });

  it('decodes frames however the bytes are split, small ones as views of the chunk', () => {
    const payloads = [Buffer.alloc(0), Buffer.from('hello'), Buffer.alloc(100_000, 3), Buffer.from('end')];
    const bytes = Buffer.concat(payloads.map(encode));
    for (const size of [1, 2, 27, 28, 29, 1000, 65_536, bytes.length]) {
      const decoder = new FrameDecoder(1 << 20);
      const frames: Frame[] = [];
      for (let offset = 0; offset < bytes.length; offset += size) decoder.push(bytes.subarray(offset, offset + size), (frame) => frames.push(frame));
      expect(frames.map((frame) => frame.payload.toString('hex'))).toEqual(payloads.map((payload) => payload.toString('hex')));
      expect(frames[1]).toMatchObject({ dst: 7, src: 1, auth: 0xfffffffe, handle: 101, replyTo: 1234, encoding: 0 });
      expect(decoder.idle).toBe(true);
    }
    const whole: Frame[] = [];
    new FrameDecoder(1 << 20).push(bytes, (frame) => whole.push(frame));
    expect(whole[1]!.payload.buffer).toBe(bytes.buffer);
  });

  it('refuses a length over maxMessageSize from the header alone, before any payload arrives', () => {
    const decoder = new FrameDecoder(1000);
    const header = encodeHeader(fields, 0xffffffff);
    expect(() => decoder.push(header, () => {})).toThrow(expect.objectContaining({ code: 'ERR_X_REMOTE_FRAME_TOO_LARGE' }));
    expect(() => new FrameDecoder(1000).push(encode(Buffer.alloc(1001)), () => {})).toThrow(FrameError);
    expect(() => new FrameDecoder(1000).push(encode(Buffer.alloc(1000)), () => {})).not.toThrow();
  });

  it('refuses a bad magic, version, encoding or flags', () => {
    for (const [offset, value] of [[0, 0x4d], [1, 2], [2, 4], [3, 1]] as const) {
      const bytes = encode(Buffer.from('x'));
      bytes[offset] = value;
      expect(() => new FrameDecoder(1000).push(bytes, () => {})).toThrow(expect.objectContaining({ code: 'ERR_X_REMOTE_BAD_FRAME' }));
    }
  });
});
