import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { native } from './native.js';

useLeakCheck();

let dir: string;
let path: string;
// Three pages and a bit, so offsets cross page boundaries.
const content = Buffer.from(Array.from({ length: 3 * 4096 + 100 }, (_, i) => (i * 7 + 3) % 251));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'x-native-mmap-'));
  path = join(dir, 'mapped.bin');
  writeFileSync(path, content);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('mmap()', () => {
  it('maps a file whose bytes equal a normal read, at offset 0 and at non-zero offsets', () => {
    const fd = openSync(path, 'r');
    const whole = native.mmap(fd, 0, content.length, 'r');
    const unaligned = native.mmap(fd, 4097, 5000, 'r');
    const aligned = native.mmap(fd, 8192, content.length - 8192, 'r');
    closeSync(fd);
    const file = readFileSync(path);
    expect(Buffer.from(whole).equals(file)).toBe(true);
    expect(Buffer.from(unaligned).equals(file.subarray(4097, 4097 + 5000))).toBe(true);
    expect(Buffer.from(aligned).equals(file.subarray(8192))).toBe(true);
    expect(unaligned.byteLength).toBe(5000);
  });

  it('writes through a shared read-write mapping reach the file after msync()', () => {
    const fd = openSync(path, 'r+');
    const memory = new Uint8Array(native.mmap(fd, 10, 5, 'rw', true));
    closeSync(fd);
    memory.set(Buffer.from('HELLO'));
    native.msync(memory.buffer as ArrayBuffer);
    native.msync(memory.buffer as ArrayBuffer, true);
    expect(readFileSync(path).subarray(10, 15).toString()).toBe('HELLO');
  });

  it('keeps writes to a private mapping out of the file', () => {
    const fd = openSync(path, 'r');
    const memory = new Uint8Array(native.mmap(fd, 0, 4, 'rw', false));
    closeSync(fd);
    memory.fill(0);
    expect(readFileSync(path).subarray(0, 4).equals(content.subarray(0, 4))).toBe(true);
  });

  it('maps zero-filled anonymous memory for fd -1', () => {
    const memory = new Uint8Array(native.mmap(-1, 0, 10_000, 'rw'));
    expect(memory.every((byte) => byte === 0)).toBe(true);
    native.madvise(memory.buffer as ArrayBuffer, 'willneed');
  });

  it('refuses a range past the end of the file with EINVAL instead of a later SIGBUS', () => {
    const fd = openSync(path, 'r');
    try {
      expect(() => native.mmap(fd, 0, content.length + 1, 'r')).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mmap' }));
      expect(() => native.mmap(fd, content.length + 4096, 1, 'r')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      expect(() => native.mmap(fd, 0, 0, 'r')).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'mmap' }));
    } finally {
      closeSync(fd);
    }
  });

  it('throws EACCES for a writable shared mapping of a read-only fd, EBADF for a closed fd, ENODEV for a pipe', () => {
    const fd = openSync(path, 'r');
    expect(() => native.mmap(fd, 0, 10, 'rw', true)).toThrow(expect.objectContaining({ code: 'EACCES', syscall: 'mmap' }));
    closeSync(fd);
    expect(() => native.mmap(fd, 0, 10, 'r')).toThrow(expect.objectContaining({ code: 'EBADF' }));
    const [readEnd, writeEnd] = native.pipe();
    expect(() => native.mmap(readEnd, 0, 10, 'r')).toThrow(expect.objectContaining({ code: 'ENODEV', syscall: 'mmap' }));
    native.close(readEnd);
    native.close(writeEnd);
  });

  it('rejects negative lengths and offsets, and unknown protections, with ERR_X_INVALID_ARG', () => {
    expect(() => native.mmap(-1, 0, -1, 'rw')).toThrow('Expected `length` to be an integer from 0 to 9007199254740991, got -1 (number).');
    expect(() => native.mmap(-1, -4096, 10, 'rw')).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', name: 'TypeError' }));
    expect(() => native.mmap(-1, 0, 10, 'x' as never)).toThrow(/Expected `prot` to be one of 'r', 'rw'/);
  });
});

describe('msync() and madvise()', () => {
  it('accept only buffers that mmap() returned', () => {
    const plain = new ArrayBuffer(4096);
    expect(() => native.msync(plain)).toThrow(/Expected `buffer` to be an ArrayBuffer returned by mmap\(\)/);
    expect(() => native.madvise(plain, 'dontneed')).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    const memory = native.mmap(-1, 0, 4096, 'rw');
    expect(() => native.madvise(memory, 'forget' as never)).toThrow(/Expected `advice` to be one of/);
    for (const advice of ['normal', 'random', 'sequential', 'willneed', 'dontneed'] as const) native.madvise(memory, advice);
  });

  it("maps a file's pages at once with 'populate', leaving its bytes as they are", () => {
    const fd = openSync(path, 'r');
    const memory = native.mmap(fd, 5, content.length - 5, 'r');
    closeSync(fd);
    native.madvise(memory, 'populate');
    expect(Buffer.from(memory).equals(content.subarray(5))).toBe(true);
  });
});
