import { createHash, randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { KernelError, connectInput, pipe, socketpair, toReadable, toWritable } from '../src/index.js';
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
