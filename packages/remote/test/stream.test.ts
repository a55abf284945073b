// The router's Stream over a real socket: the frames written together leave in one write, in order, large
// payloads uncopied, with the batch counted against back-pressure; what arrives is decoded however the
// kernel splits it, and a hostile header ends the stream.
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePayload } from '../src/wire/codec.js';
import { type Frame, FrameDecoder, HEADER_SIZE, encodeHeader } from '../src/wire/frame.js';
import { BACKED_UP, Stream } from '../src/wire/stream.js';

useLeakCheck();

const MAX = 64 << 20;
const fields = (handle: number) => ({ encoding: 1, dst: 2, src: 1, auth: 1, handle, replyTo: 0 });

interface Pair {
  writer: Socket;
  reader: Socket;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Two connected unix sockets. */
async function socketPair(): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), 'x-stream-'));
  const path = join(dir, 's');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
  const writer = createConnection(path);
  await new Promise((resolve) => writer.once('connect', resolve));
  const reader = await accepted;
  cleanups.push(async () => {
    writer.destroy();
    reader.destroy();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });
  return { writer, reader };
}

/** Counts the writes made to `socket` and keeps what each wrote. */
function recordWrites(socket: Socket): Buffer[] {
  const writes: Buffer[] = [];
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  socket.write = ((chunk: Buffer) => {
    writes.push(chunk);
    return write(chunk);
  }) as Socket['write'];
  return writes;
}

/** Collects the frames arriving on `socket` until `count` have come. */
function collect(socket: Socket, count: number): Promise<Frame[]> {
  const decoder = new FrameDecoder(MAX);
  const frames: Frame[] = [];
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, (frame) => {
        frames.push({ ...frame, payload: Buffer.from(frame.payload) });
        if (frames.length === count) resolve(frames);
      }),
    );
  });
}

const noop = (): void => {};

describe('Stream', () => {
  it('writes the frames of one turn in one write once its microtasks ran, in the order written', async () => {
    const { writer, reader } = await socketPair();
    const writes = recordWrites(writer);
    const stream = new Stream(writer, 2, MAX, noop, noop);
    const arriving = collect(reader, 1000);
    for (let k = 0; k < 1000; k++) stream.write(fields(k), Buffer.from(`frame ${k}`), `frame ${k}`.length);
    expect(writes).toHaveLength(0);
    expect(stream.queued).toBeGreaterThan(1000 * HEADER_SIZE);
    await Promise.resolve();
    // 1,000 frames of about 37 bytes: one write for every 64 KiB at most.
    expect(writes).toHaveLength(1);
    const frames = await arriving;
    expect(frames.map((frame) => frame.handle)).toEqual(Array.from({ length: 1000 }, (_, k) => k));
    expect(frames.map((frame) => frame.payload.toString())).toEqual(Array.from({ length: 1000 }, (_, k) => `frame ${k}`));
  });

  it('sends a large payload at once, uncopied, after the small frames written before it', async () => {
    const { writer, reader } = await socketPair();
    const writes = recordWrites(writer);
    const stream = new Stream(writer, 2, MAX, noop, noop);
    const arriving = collect(reader, 3);
    const big = Buffer.alloc(4 << 20, 9);
    stream.write(fields(1), Buffer.from('before'), 6);
    stream.write(fields(2), big, big.length);
    // The payload went to the socket as it is, behind one write of the small frame and the large one's header.
    expect(writes.at(-1)).toBe(big);
    expect(writes).toHaveLength(2);
    expect(writes[0]!.length).toBe(HEADER_SIZE + 6 + HEADER_SIZE);
    stream.write(fields(3), Buffer.from('after'), 5);
    const frames = await arriving;
    expect(frames.map((frame) => frame.handle)).toEqual([1, 2, 3]);
    expect(frames[1]!.payload.equals(big)).toBe(true);
    expect(frames[2]!.payload.toString()).toBe('after');
  });

  it('keeps the frames of streams written in turn apart, each stream in its own order', async () => {
    const pairs = [await socketPair(), await socketPair()];
    const streams = pairs.map(({ writer }) => new Stream(writer, 2, MAX, noop, noop));
    const arriving = pairs.map(({ reader }) => collect(reader, 300));
    for (let k = 0; k < 300; k++) {
      for (const [index, stream] of streams.entries()) stream.write(fields(k), Buffer.from(`${index}:${k}`), `${index}:${k}`.length);
    }
    const received = await Promise.all(arriving);
    for (const [index, frames] of received.entries()) {
      expect(frames.map((frame) => frame.payload.toString())).toEqual(Array.from({ length: 300 }, (_, k) => `${index}:${k}`));
    }
  });

  it('counts what waits in the batch and the socket as backed up, and drains once the reader reads', async () => {
    const { writer, reader } = await socketPair();
    reader.pause();
    const stream = new Stream(writer, 2, MAX, noop, noop);
    const chunk = Buffer.alloc(8 * 1024, 1);
    let sent = 0;
    while (!stream.backedUp) {
      stream.write(fields(sent), chunk, chunk.length);
      sent++;
    }
    expect(stream.queued).toBeGreaterThanOrEqual(BACKED_UP);
    const drained = stream.drained();
    let read = 0;
    reader.on('data', (data: Buffer) => (read += data.length));
    reader.resume();
    await drained;
    expect(stream.backedUp).toBe(false);
    await new Promise<void>((resolve) => {
      const check = (): void => (read === sent * (HEADER_SIZE + chunk.length) ? resolve() : void setTimeout(check, 5));
      check();
    });
  });

  it('decodes a segmented payload of 8 MiB that arrives over many reads', async () => {
    const { writer, reader } = await socketPair();
    const frames: Frame[] = [];
    const got = new Promise<void>((resolve) => {
      new Stream(reader, 1, MAX, (frame) => (frames.push(frame), resolve()), noop);
    });
    const big = Buffer.alloc(8 << 20);
    for (let k = 0; k < big.length; k += 4096) big[k] = k / 4096;
    const payload = encodePayload({ big });
    expect(Array.isArray(payload)).toBe(true);
    const sender = new Stream(writer, 2, MAX, noop, noop);
    const length = (payload as Buffer[]).reduce((sum, part) => sum + part.length, 0);
    sender.write({ ...fields(5), encoding: 3 }, payload, length);
    await got;
    expect(frames).toHaveLength(1);
    expect(frames[0]!.payload.length).toBe(length);
    expect(frames[0]!.payload.subarray(length - big.length).equals(big)).toBe(true);
  });

  it('ends the stream on a header whose length exceeds the largest message, before reading its payload', async () => {
    const { writer, reader } = await socketPair();
    const closed = new Promise<string>((resolve) => {
      new Stream(reader, 1, 1 << 20, noop, (_stream, reason) => resolve(reason));
    });
    writer.write(encodeHeader(fields(1), 0xffff_ffff));
    expect(await closed).toMatch(/exceeds maxMessageSize/);
  });
});
