import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import {
  KernelError,
  Matrix,
  appendFile,
  readFile,
  readFileRange,
  streamSharedSegments,
  updateFile,
  writeFile,
} from '../src/index.js';

useLeakCheck();

const SIZE = 64 << 20;
let dir: string;
let big: string;
let bigData: Buffer;

// Deterministic pseudo-random ranges (a failing case can be replayed).
function* ranges(count: number, seed: number): Generator<[number, number]> {
  let x = seed;
  const next = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
  for (let i = 0; i < count; i++) {
    const a = next() % (SIZE + 1);
    const b = next() % (SIZE + 1);
    yield [Math.min(a, b), Math.max(a, b)];
  }
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function collect(iterable: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of iterable) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

beforeAll(() => {
  dir = fs.mkdtempSync(join(tmpdir(), 'x-kernel-io-'));
  big = join(dir, 'big');
  bigData = randomBytes(SIZE);
  fs.writeFileSync(big, bigData);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('readFile()', () => {
  it('reads a 64 MiB file whole, equal by sha256', async () => {
    expect(sha(await collect(readFile(big)))).toBe(sha(bigData));
  });

  it('allocates no buffer per chunk in steady state when buffers are handed back', async () => {
    const input = readFile(big, { bufferSize: 256 << 10, queue: 2 });
    const seen = new Set<ArrayBufferLike>();
    const hash = createHash('sha256');
    let chunks = 0;
    for await (const chunk of input) {
      hash.update(chunk);
      seen.add(chunk.buffer);
      chunks++;
      input.release(chunk);
    }
    expect(hash.digest('hex')).toBe(sha(bigData));
    expect(chunks).toBe(SIZE / (256 << 10));
    // The queue (2) plus the one the consumer holds: never one buffer per chunk.
    expect(seen.size).toBeLessThanOrEqual(4);
  });

  it('refuses a buffer given back twice, so two reads never fill one buffer', async () => {
    const input = readFile(big, { bufferSize: 64 << 10, queue: 2 });
    const first = (await input.read())!;
    const copy = Buffer.from(first);
    input.release(first);
    expect(() => input.release(first)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'buffer' }));
    expect(() => input.release(Buffer.alloc(64 << 10))).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    // The one buffer given back is reused by one read only: the next two chunks are distinct memory.
    const second = (await input.read())!;
    const third = (await input.read())!;
    expect(second.buffer).not.toBe(third.buffer);
    expect(Buffer.concat([copy, second, third]).equals(bigData.subarray(0, 3 * (64 << 10)))).toBe(true);
    input.terminate();
  });

  it('ends an empty file at once, without error', async () => {
    const empty = join(dir, 'empty');
    fs.writeFileSync(empty, '');
    expect((await collect(readFile(empty))).length).toBe(0);
    expect((await collect(readFileRange(empty, 0, 0))).length).toBe(0);
  });

  it('throws a KernelError ENOENT for a missing file', () => {
    const error = (() => {
      try {
        readFile(join(dir, 'missing'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KernelError);
    expect((error as KernelError).code).toBe('ENOENT');
    expect((error as KernelError).syscall).toBe('open');
  });

  it('is terminated by its Matrix and counted in its stats', async () => {
    const matrix = new Matrix();
    const input = matrix.readFile(big);
    await input.read();
    expect(matrix.stats.channels).toBe(1);
    expect(matrix.stats.bytesIn).toBeGreaterThan(0);
    matrix.terminate();
    expect(matrix.stats.channels).toBe(0);
    await expect(input.read()).rejects.toMatchObject({ code: 'ERR_X_CHANNEL_TERMINATED' });
  });
});

describe('readFileRange()', () => {
  it('reads random ranges of a 64 MiB file, equal by sha256', async () => {
    for (const [start, stop] of ranges(12, 7)) {
      const got = await collect(readFileRange(big, start, stop, { bufferSize: 1 << 20 }));
      expect(got.length).toBe(stop - start);
      expect(sha(got)).toBe(sha(bigData.subarray(start, stop)));
    }
  });

  it('reads fewer bytes than asked when the file ends first', async () => {
    const got = await collect(readFileRange(big, SIZE - 10, SIZE + 100));
    expect(got.equals(bigData.subarray(SIZE - 10))).toBe(true);
  });

  it('rejects start > stop with ERR_X_INVALID_ARG', () => {
    expect(() => readFileRange(big, 10, 5)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', name: 'InvalidArgumentError', argument: 'start' }));
  });
});

describe('writeFile(), appendFile(), updateFile()', () => {
  it('writeFile replaces the file', async () => {
    const path = join(dir, 'write');
    fs.writeFileSync(path, 'old contents that are longer');
    const output = writeFile(path);
    await output.send('new');
    await output.send(Buffer.from(' bytes'));
    await output.end();
    expect(fs.readFileSync(path, 'utf8')).toBe('new bytes');
  });

  it('appendFile adds at the end', async () => {
    const path = join(dir, 'append');
    fs.writeFileSync(path, 'first\n');
    const output = appendFile(path);
    await output.send('second\n');
    await output.end();
    expect(fs.readFileSync(path, 'utf8')).toBe('first\nsecond\n');
  });

  it('updateFile overwrites in place: no truncation, no append', async () => {
    const path = join(dir, 'update');
    fs.writeFileSync(path, '0123456789');
    const output = updateFile(path, 3, 4);
    output.write('ab');
    output.write('cd');
    expect(() => output.write('e')).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    await output.end();
    expect(fs.readFileSync(path, 'utf8')).toBe('012abcd789');
  });

  it('updateFile refuses a missing file', () => {
    expect(() => updateFile(join(dir, 'nothing'), 0, 1)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('writes 64 MiB through an obstructed queue without losing a byte', async () => {
    const path = join(dir, 'copy');
    const output = writeFile(path, { limit: 2 });
    let obstructions = 0;
    output.on('obstruct', () => obstructions++);
    for (let i = 0; i < SIZE; i += 1 << 20) await output.send(bigData.subarray(i, i + (1 << 20)));
    await output.end();
    expect(obstructions).toBeGreaterThan(0);
    expect(sha(fs.readFileSync(path))).toBe(sha(bigData));
    fs.rmSync(path);
  });
});

describe('streamSharedSegments()', () => {
  it('gives the same bytes as a normal read, in segments of the given size, within the range', async () => {
    const start = 12_345;
    const stop = SIZE - 54_321;
    const sizes: number[] = [];
    const hash = createHash('sha256');
    for await (const segment of streamSharedSegments(big, { start, stop, size: 1 << 20, window: 8 << 20 })) {
      sizes.push(segment.length);
      hash.update(segment);
    }
    expect(hash.digest('hex')).toBe(sha(await collect(readFileRange(big, start, stop))));
    expect(sizes.slice(0, -1).every((n) => n === 1 << 20)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(stop - start);
  });

  it('honours a small range and an empty one', async () => {
    expect((await collect(streamSharedSegments(big, { start: 100, stop: 110, size: 3 }))).equals(bigData.subarray(100, 110))).toBe(true);
    expect((await collect(streamSharedSegments(big, { start: 5, stop: 5 }))).length).toBe(0);
    const empty = join(dir, 'empty-mmap');
    fs.writeFileSync(empty, '');
    expect((await collect(streamSharedSegments(empty))).length).toBe(0);
  });

  it('ends with a KernelError, not SIGBUS, when the file shrinks under the range', async () => {
    const path = join(dir, 'shrinking');
    fs.writeFileSync(path, bigData.subarray(0, 4 << 20));
    const segments = streamSharedSegments(path, { size: 1 << 20, window: 1 << 20 });
    expect((await segments.read())!.equals(bigData.subarray(0, 1 << 20))).toBe(true);
    fs.truncateSync(path, 1 << 20);
    await expect(segments.read()).rejects.toBeInstanceOf(KernelError);
    expect(segments.terminated).toBe(true);
  });

  it('rejects a range outside the file or reversed', () => {
    expect(() => streamSharedSegments(big, { start: 10, stop: 5 })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    expect(() => streamSharedSegments(big, { stop: SIZE + 1 })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
