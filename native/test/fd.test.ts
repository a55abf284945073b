import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from './fixture.js';
import { native } from './native.js';

useLeakCheck();

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'x-native-fd-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('socketpair()', () => {
  it('returns two connected sockets of each type', () => {
    for (const type of ['stream', 'dgram', 'seqpacket'] as const) {
      const [left, right] = native.socketpair(type);
      writeSync(left, 'ping');
      const buffer = Buffer.alloc(8);
      expect(buffer.subarray(0, readSync(right, buffer)).toString()).toBe('ping');
      expect([native.fdType(left), native.fdType(right)]).toEqual(['socket', 'socket']);
      native.close(left);
      native.close(right);
    }
  });

  it('rejects an unknown type with ERR_X_INVALID_ARG', () => {
    expect(() => native.socketpair('raw' as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', name: 'TypeError' }));
  });
});

describe('pipe()', () => {
  it('returns a read end and a write end', () => {
    const [readEnd, writeEnd] = native.pipe();
    writeSync(writeEnd, 'data');
    const buffer = Buffer.alloc(8);
    expect(buffer.subarray(0, readSync(readEnd, buffer)).toString()).toBe('data');
    expect(native.fdType(readEnd)).toBe('pipe');
    native.close(readEnd);
    native.close(writeEnd);
  });
});

describe('sendFds() and recvFds()', () => {
  it("pass an open file's fd to another process, which reads the file through it", () => {
    const path = join(dir, 'passed.txt');
    writeFileSync(path, 'read through a passed fd\n');
    const file = openSync(path, 'r');
    const [mine, theirs] = native.socketpair('stream');
    expect(native.sendFds(mine, [file], 'here')).toBe(4);
    closeSync(file);
    const result = spawnSync(process.execPath, [fixture('receive-fd.cjs')], {
      stdio: ['ignore', 'pipe', 'pipe', theirs],
      encoding: 'utf8',
      timeout: 20_000,
    });
    native.close(mine);
    native.close(theirs);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ data: 'here', type: 'file', text: 'read through a passed fd\n' });
  });

  it('sends one NUL byte when there is no data, and receives fds close-on-exec', () => {
    const [left, right] = native.socketpair('seqpacket');
    const [readEnd, writeEnd] = native.pipe();
    native.sendFds(left, [readEnd, writeEnd]);
    const received = native.recvFds(right, 2)!;
    expect(received.data).toEqual(Buffer.from([0]));
    expect(received.fds).toHaveLength(2);
    expect(received.truncated).toBe(false);
    writeSync(received.fds[1]!, 'x');
    const buffer = Buffer.alloc(1);
    expect(readSync(readEnd, buffer)).toBe(1);
    for (const fd of [left, right, readEnd, writeEnd, ...received.fds]) native.close(fd);
  });

  it('closes the fds beyond max and says the message was truncated', () => {
    const [left, right] = native.socketpair('seqpacket');
    const [readEnd, writeEnd] = native.pipe();
    native.sendFds(left, [readEnd, writeEnd, readEnd, writeEnd], 'four');
    const received = native.recvFds(right, 1)!;
    expect(received.fds).toHaveLength(1);
    expect(received.truncated).toBe(true);
    for (const fd of [left, right, readEnd, writeEnd, ...received.fds]) native.close(fd);
  });

  it('return null on a non-blocking socket with nothing to read', () => {
    const [left, right] = native.socketpair('stream');
    native.setNonblocking(right);
    expect(native.recvFds(right, 1)).toBeNull();
    native.close(left);
    native.close(right);
  });

  it('throw EPIPE when the peer is closed, and ENOTSOCK for a pipe', () => {
    const [left, right] = native.socketpair('stream');
    native.close(right);
    expect(() => native.sendFds(left, [0], 'x')).toThrow(expect.objectContaining({ code: 'EPIPE', errno: -32, syscall: 'sendmsg' }));
    native.close(left);
    const [readEnd, writeEnd] = native.pipe();
    expect(() => native.recvFds(readEnd, 1)).toThrow(expect.objectContaining({ code: 'ENOTSOCK', syscall: 'recvmsg' }));
    native.close(readEnd);
    native.close(writeEnd);
  });

  it('reject a bad fd list and data of the wrong type', () => {
    expect(() => native.sendFds(0, [-1])).toThrow(/Expected `fds\[0\]` to be an integer/);
    expect(() => native.sendFds(0, [], 42 as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    expect(() => native.recvFds(0, 254)).toThrow(/Expected `max` to be an integer from 0 to 253, got 254/);
  });
});

describe('setCloexec() and setNonblocking()', () => {
  it('set and clear O_CLOEXEC and O_NONBLOCK, as /proc/self/fdinfo shows them', () => {
    const [readEnd, writeEnd] = native.pipe();
    const flags = (fd: number) => Number.parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8);
    const O_CLOEXEC = 0o2000000;
    const O_NONBLOCK = 0o4000;
    expect(flags(readEnd) & O_CLOEXEC).toBe(O_CLOEXEC);
    native.setCloexec(readEnd, false);
    expect(flags(readEnd) & O_CLOEXEC).toBe(0);
    native.setCloexec(readEnd);
    expect(flags(readEnd) & O_CLOEXEC).toBe(O_CLOEXEC);
    native.setNonblocking(readEnd);
    expect(flags(readEnd) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(() => readSync(readEnd, Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'EAGAIN' }));
    native.setNonblocking(readEnd, false);
    expect(flags(readEnd) & O_NONBLOCK).toBe(0);
    native.close(readEnd);
    native.close(writeEnd);
  });

  it('throw EBADF for a closed fd', () => {
    const [readEnd, writeEnd] = native.pipe();
    native.close(readEnd);
    native.close(writeEnd);
    expect(() => native.setCloexec(readEnd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'fcntl' }));
    expect(() => native.setNonblocking(readEnd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'fcntl' }));
  });
});

describe('shutdown()', () => {
  it("ends the peer's reads with end-of-stream", () => {
    const [left, right] = native.socketpair('stream');
    native.shutdown(left, 'w');
    expect(readSync(right, Buffer.alloc(4))).toBe(0);
    native.close(left);
    native.close(right);
  });

  it('throws ENOTSOCK for a pipe', () => {
    const [readEnd, writeEnd] = native.pipe();
    expect(() => native.shutdown(readEnd, 'rw')).toThrow(expect.objectContaining({ code: 'ENOTSOCK', syscall: 'shutdown' }));
    native.close(readEnd);
    native.close(writeEnd);
  });
});

describe('close() and fdType()', () => {
  it('throw EBADF for an fd that is not open', () => {
    const [readEnd, writeEnd] = native.pipe();
    native.close(readEnd);
    native.close(writeEnd);
    expect(() => native.close(readEnd)).toThrow(expect.objectContaining({ code: 'EBADF', errno: -9, syscall: 'close' }));
    expect(() => native.fdType(readEnd)).toThrow(expect.objectContaining({ code: 'EBADF', syscall: 'fstat' }));
  });

  it('names files, directories and character devices', () => {
    const file = openSync(join(dir, 'f'), 'w');
    const directory = openSync(dir, 'r');
    const nul = openSync('/dev/null', 'r');
    expect([native.fdType(file), native.fdType(directory), native.fdType(nul)]).toEqual(['file', 'directory', 'character']);
    for (const fd of [file, directory, nul]) closeSync(fd);
  });

  it('reject what is not an fd', () => {
    for (const bad of [-1, 1.5, '3', undefined]) {
      expect(() => native.close(bad as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
    }
    expect(() => native.close(-1)).toThrow('Expected `fd` to be a file descriptor (an integer from 0 to 2147483647), got -1 (number).');
  });
});
