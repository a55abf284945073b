import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { KernelError, connectInput, pipe, socketpair, toReadable, toReadableStream, toWritable, toWritableStream, type Transfer } from '../src/index.js';
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)('@x/native') as typeof import('@x/native');

useLeakCheck();

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of iterable) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

describe('pipe()', () => {
  it('carries bytes from the output to the input and ends at end()', async () => {
    const [input, output] = pipe();
    const data = randomBytes(3 << 20);
    const sending = (async () => {
      for (let i = 0; i < data.length; i += 100_000) await output.send(data.subarray(i, i + 100_000));
      await output.end();
    })();
    const got = await collect(input);
    await sending;
    expect(got.equals(data)).toBe(true);
  });

  it('gives EPIPE as a KernelError when the reader is gone', async () => {
    const [input, output] = pipe();
    input.terminate();
    const error = await (async () => {
      for (;;) await output.send(Buffer.alloc(65536));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).code).toBe('EPIPE');
    expect((error as KernelError).syscall).toMatch(/^write/);
  });
});

describe('socketpair()', () => {
  it('shuts down only the write side at end(): the other direction still works', async () => {
    const [left, right] = socketpair();
    await left.output.end();
    expect(await right.input.read()).toBeNull();
    await right.output.send('still open');
    expect((await left.input.read())?.toString()).toBe('still open');
    left.terminate();
    right.terminate();
  });

  it('converts to Node streams with pipeline()', async () => {
    const [left, right] = socketpair();
    const data = randomBytes(5 << 20);
    const [readEnd, writeEnd] = pipe();
    const done = pipeline(toReadable(right.input), toWritable(writeEnd));
    const got = collect(readEnd);
    await left.output.send(data);
    await left.output.end();
    await done;
    expect(createHash('sha256').update(await got).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    left.terminate();
    right.terminate();
  });
});

describe('connectInput()', () => {
  it('reads a pty master to the end with hangupIsEof, keeping bytes written before the hang-up', async () => {
    const { master, slave } = native.openpty();
    const input = connectInput(master, { hangupIsEof: true });
    const text = 'x'.repeat(3000);
    // The slave written here and then closed is the hang-up a child's exit causes.
    const { writeSync } = await import('node:fs');
    writeSync(slave, text);
    native.close(slave);
    const got = (await collect(input)).toString().replace(/\r\n/g, '\n');
    expect(got).toBe(text);
  });
});

describe('connectInput() on a pty master without hangupIsEof', () => {
  it('delivers the bytes, then ends with a KernelError EIO', async () => {
    const { master, slave } = native.openpty();
    const input = connectInput(master);
    const { writeSync } = await import('node:fs');
    writeSync(slave, 'last words');
    native.close(slave);
    let text = '';
    const error = await (async () => {
      for await (const chunk of input) text += chunk.toString();
    })().catch((e: unknown) => e);
    expect(text).toBe('last words');
    expect(error).toBeInstanceOf(KernelError);
    expect(error).toMatchObject({ code: 'EIO', syscall: 'read' });
  });
});

describe('KOutput', () => {
  it('is obstructed over its entry limit, and drains without dropping a byte', async () => {
    const [input, output] = pipe({ limit: 4 });
    const states: boolean[] = [];
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(200_000, i));
    // Written without waiting: the queue grows past the limit, nothing is refused or lost.
    for (const chunk of chunks) states.push(output.write(chunk));
    expect(output.obstructed).toBe(true);
    // The kernel takes the first chunk or two at once; from then on the queue fills, and over 4 entries it obstructs.
    expect(states.slice(0, 4)).not.toContain(false);
    expect(states.slice(8).every((state) => state === false)).toBe(true);
    const ready = output.ready();
    const reading = collect(input);
    await ready;
    expect(output.obstructed).toBe(false);
    await output.end();
    expect((await reading).equals(Buffer.concat(chunks))).toBe(true);
  });

  it("emits transfer events with payload, demand and a terminal last one", async () => {
    const [input, output] = pipe();
    const events: Array<{ length: number; demand: boolean; terminal: boolean }> = [];
    input.on('transfer', (t: Transfer) => events.push({ length: t.payload.length, demand: t.demand, terminal: t.terminal }));
    await output.send('abc');
    await output.end();
    await collect(input);
    expect(events.at(-1)).toEqual({ length: 0, demand: false, terminal: true });
    expect(events.slice(0, -1).reduce((n, e) => n + e.length, 0)).toBe(3);
    expect(events.slice(0, -1).every((e) => !e.terminal)).toBe(true);
  });
});

describe('KInput', () => {
  it('withholds reads while its queue is full (obstructed) and resumes when the consumer takes one', async () => {
    const [input, output] = pipe({ queue: 2, bufferSize: 4096 });
    let obstructed = 0;
    input.on('obstruct', () => obstructed++);
    const data = randomBytes(1 << 20);
    const writing = (async () => {
      for (let i = 0; i < data.length; i += 4096) await output.send(data.subarray(i, i + 4096));
      await output.end();
    })();
    // Nobody reads yet: the input fills its two buffers and stops asking the kernel.
    await new Promise((resolve) => input.once('obstruct', resolve));
    expect(input.obstructed).toBe(true);
    const got = await collect(input);
    await writing;
    expect(obstructed).toBeGreaterThan(0);
    expect(got.equals(data)).toBe(true);
  });

  it('converts to a web stream and a Node stream from methods', async () => {
    const [input, output] = pipe();
    const writer = output.toWritableStream().getWriter();
    await writer.write('web');
    await writer.close();
    expect((await collect(input.toReadable())).toString()).toBe('web');
  });

  it('rejects bad options with ERR_X_INVALID_ARG', () => {
    expect(() => connectInput(-1)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    expect(() => pipe({ bufferSize: 0 })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });

  it.each([undefined, null, {}, 'a path'])('refuses to convert %j, which is not a channel, with ERR_X_INVALID_ARG', (notAChannel) => {
    const conversions: ((channel: never) => unknown)[] = [toReadable, toReadableStream, toWritable, toWritableStream];
    for (const convert of conversions) {
      expect(() => convert(notAChannel as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    }
  });
});
