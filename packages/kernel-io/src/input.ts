// KInput: bytes coming out of the kernel. Back-pressure is withholding: when `queue` buffers wait
// unread, the channel stops asking the kernel for more until the consumer takes one.
import * as fs from 'node:fs';
import { KChannel } from './channel.js';
import { ChannelTerminatedError, KernelError, checkInteger, InvalidArgumentError } from './errors.js';
import { FdHandle } from './fd-handle.js';
import { toReadable, toReadableStream } from './streams.js';
import type { Readable } from 'node:stream';

/** How a {@link KInput} reads. */
export interface InputOptions {
  /**
   * Bytes per kernel read, and the size of each buffer the channel allocates (default 2 MiB for
   * files, 256 KiB for pipes, sockets and ttys). Larger buffers mean fewer system calls.
   */
  bufferSize?: number;
  /**
   * Buffers read ahead of the consumer before the channel is obstructed (default 2 for files: two
   * positional reads run side by side on the thread pool; 4 for anything else).
   */
  queue?: number;
  /**
   * Treat EIO from read(2) as end of stream (default false: EIO ends the channel with a KernelError).
   * A pty master reads EIO once the terminal's last slave fd is closed, after every byte the child
   * wrote has been read: set this for a pty master so the child's exit is a clean end.
   */
  hangupIsEof?: boolean;
  /** The channel owns the fd and closes it when it terminates (default true). */
  own?: boolean;
}

/** @internal What a KInput reads from: decided by the constructor's callers. */
export interface InputSource {
  fd: number;
  /** 'file': positional reads on the thread pool; 'stream': a nonblocking fd polled on the event loop. */
  kind: 'file' | 'stream';
  /** Where file reads start (null: the fd's own offset, read serially). */
  position?: number | null;
  /** The most bytes to read (KLimit), default unlimited. */
  limit?: number;
  /** Closes the fd (default: fs.closeSync), or null to leave it open. */
  close?: (() => void) | null;
  /** For messages: the path or what the fd is. */
  what?: string;
}

const MiB = 1 << 20;

interface Slot {
  buffer: Buffer;
  length: number;
  done: boolean;
  n: number;
  error: unknown;
}

interface Waiter {
  resolve(value: Buffer | null): void;
  reject(error: Error): void;
}

/**
 * A channel reading an fd: an async iterable of Buffers, read `bufferSize` bytes at a time.
 * End of stream ends the iteration without error; a failure (ECONNRESET, EIO…) rejects it with a
 * {@link KernelError} after every byte read before it has been delivered. EINTR and EAGAIN never
 * surface. Give buffers back with {@link KInput.release} and a steady-state read allocates nothing.
 *
 * @example
 * import { readFile } from '@x/kernel-io';
 * const input = readFile('/etc/hostname');
 * for await (const chunk of input) { process.stdout.write(chunk); input.release(chunk); }
 */
export class KInput extends KChannel implements AsyncIterable<Buffer> {
  readonly fd: number;
  /** Bytes per read and per allocated buffer. */
  readonly bufferSize: number;
  /** Buffers read ahead before the channel obstructs. */
  readonly queueLimit: number;
  /** @internal */
  protected readonly source: InputSource;
  private readonly hangupIsEof: boolean;
  private readonly handle: FdHandle | null;
  private readonly ready: Buffer[] = [];
  private readonly free: Buffer[] = [];
  /**
   * The memory of each buffer delivered and not yet given back: release() takes a buffer back once, so
   * two reads never fill one buffer. Weak: a consumer may keep a buffer for good.
   */
  private readonly lent = new WeakSet<ArrayBufferLike>();
  private readonly slots: Slot[] = [];
  private waiter: Waiter | null = null;
  private eof = false;
  private failure: Error | null = null;
  private position: number | null;
  private remaining: number;
  private inflight = 0;
  private released = false;
  private readonly closeFd: (() => void) | null;

  /** @internal Use readFile(), connectInput() or another function that makes one. */
  constructor(source: InputSource, options: InputOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
    this.source = source;
    this.fd = source.fd;
    this.bufferSize = checkInteger(
      'options.bufferSize',
      options.bufferSize ?? (source.kind === 'file' ? 2 * MiB : 256 * 1024),
      1,
      1 << 30,
    );
    this.queueLimit = checkInteger('options.queue', options.queue ?? (source.kind === 'file' ? 2 : 4), 1, 1024);
    this.hangupIsEof = options.hangupIsEof === true;
    this.position = source.position ?? null;
    this.remaining = source.limit ?? Infinity;
    const own = options.own !== false;
    const fd = source.fd;
    this.closeFd = own ? (source.close === undefined ? () => fs.closeSync(fd) : source.close) : null;
    if (source.kind === 'stream') {
      this.handle = FdHandle.acquire(fd, this.closeFd);
      this.handle.wantRead(this.onReadable);
    } else {
      this.handle = null;
      queueMicrotask(() => this.pump());
    }
    if (this.remaining === 0) this.reachEof();
  }

  /**
   * The next buffer, or null at end of stream. Rejects with the channel's KernelError once the bytes
   * read before it have been taken, or ChannelTerminatedError after terminate(). One read at a time.
   */
  read(): Promise<Buffer | null> {
    const payload = this.ready.shift();
    if (payload !== undefined) {
      this.resume();
      return Promise.resolve(payload);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.eof) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new TypeError(`${this.describe()}: read() called while another read() waits; read one at a time.`));
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * Hands a buffer this channel delivered back for reuse by a later read: after this the caller must
   * not touch it. Buffers not given back are simply garbage-collected.
   *
   * @throws `ERR_X_INVALID_ARG` for a buffer this channel did not deliver, or one already given back
   *   (a second release would let two reads fill the same memory).
   */
  release(buffer: Buffer): void {
    if (!Buffer.isBuffer(buffer) || !this.lent.delete(buffer.buffer)) {
      throw new InvalidArgumentError('buffer', 'a Buffer this channel delivered and not yet given back (release each one once)', buffer);
    }
    if (buffer.buffer.byteLength !== this.bufferSize || this.free.length > this.queueLimit + 1 || this.eof) return;
    this.free.push(
      buffer.byteOffset === 0 && buffer.length === this.bufferSize ? buffer : Buffer.from(buffer.buffer, 0, this.bufferSize),
    );
  }

  /** This channel as a Node Readable with its back-pressure (see {@link toReadable}). */
  toReadable(): Readable {
    return toReadable(this);
  }

  /** This channel as a web ReadableStream with its back-pressure (see {@link toReadableStream}). */
  toReadableStream(): ReadableStream<Uint8Array> {
    return toReadableStream(this);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined> {
    try {
      for (;;) {
        const payload = await this.read();
        if (payload === null) return;
        yield payload;
      }
    } finally {
      // A consumer leaving early (break, throw) is done with the channel.
      if (!this.eof || this.ready.length) this.terminate();
    }
  }

  terminate(error?: Error): void {
    if (this.terminated && this.released) return;
    this.ready.length = 0;
    this.free.length = 0;
    if (!this.eof && !this.failure) this.failure = error ?? new ChannelTerminatedError(this.describe());
    this.eof = true;
    this.settle();
    this.finish(error ?? null, 'in');
    this.releaseFd();
  }

  protected describe(): string {
    return `KInput#${this.id} (${this.source.what ?? `fd ${this.fd}`})`;
  }

  private take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize);
  }

  private deliver(payload: Buffer): void {
    this.lent.add(payload.buffer);
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = null;
      this.transferred(payload, true, false, 'in');
      waiter.resolve(payload);
      return;
    }
    this.ready.push(payload);
    this.transferred(payload, this.ready.length < this.queueLimit, false, 'in');
  }

  // The consumer took a buffer: read again if the channel had stopped.
  private resume(): void {
    if (this.eof || this.ready.length >= this.queueLimit) return;
    if (this.obstructed) this.obstruct(false);
    if (this.handle) this.handle.wantRead(this.onReadable);
    else this.pump();
  }

  private onReadable = (error: Error | null): void => {
    if (error) return this.fail(error, 'poll');
    // After a poll error the watch is gone: keep (or restore) the interest while reading on.
    this.handle!.wantRead(this.onReadable);
    const fd = this.fd;
    const size = this.bufferSize;
    while (!this.eof) {
      if (this.ready.length >= this.queueLimit) {
        this.handle!.wantRead(null);
        this.obstruct(true);
        return;
      }
      const buffer = this.take();
      let n: number;
      try {
        n = fs.readSync(fd, buffer, 0, Math.min(size, this.remaining), null);
      } catch (failure) {
        this.free.push(buffer);
        const code = (failure as { code?: string }).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return;
        if (code === 'EINTR') continue;
        if (code === 'EIO' && this.hangupIsEof) return this.reachEof();
        return this.fail(failure, 'read');
      }
      if (n === 0) {
        this.free.push(buffer);
        return this.reachEof();
      }
      this.remaining -= n;
      this.deliver(n === size ? buffer : buffer.subarray(0, n));
      if (this.remaining === 0) return this.reachEof();
      // A short read drained the kernel's buffer: wait for the next readiness instead of paying for EAGAIN.
      if (n < size) return;
    }
  };

  // File reads: positional reads run side by side on the thread pool, delivered in order.
  private pump(): void {
    if (this.eof || this.terminated) return;
    const serial = this.position === null;
    while (
      this.remaining > 0 &&
      this.slots.length + this.ready.length < this.queueLimit &&
      !(serial && this.slots.length > 0)
    ) {
      const length = Math.min(this.bufferSize, this.remaining);
      const slot: Slot = { buffer: this.take(), length, done: false, n: 0, error: null };
      this.slots.push(slot);
      const position = this.position;
      if (position !== null) this.position = position + length;
      if (this.remaining !== Infinity) this.remaining -= length;
      this.inflight++;
      fs.read(this.fd, slot.buffer, 0, length, position, (error, n) => {
        this.inflight--;
        slot.done = true;
        slot.error = error;
        slot.n = n;
        if (this.terminated) return this.releaseFd();
        this.drain();
      });
    }
    if (this.slots.length + this.ready.length >= this.queueLimit && this.ready.length >= this.queueLimit) this.obstruct(true);
  }

  private drain(): void {
    while (this.slots.length && this.slots[0]!.done && !this.eof) {
      const slot = this.slots.shift()!;
      if (slot.error) {
        const code = (slot.error as { code?: string }).code;
        if (code === 'EIO' && this.hangupIsEof) return this.reachEof();
        return this.fail(slot.error, 'read');
      }
      if (slot.n === 0) {
        this.free.push(slot.buffer);
        return this.reachEof();
      }
      this.deliver(slot.n === this.bufferSize ? slot.buffer : slot.buffer.subarray(0, slot.n));
      // A short read of a regular file is its end (for a serial read of a pipe-like file, read on).
      if (slot.n < slot.length && this.position !== null) {
        return this.reachEof();
      }
      if (this.position === null && this.remaining !== Infinity) this.remaining += slot.length - slot.n;
    }
    if (!this.eof && this.slots.length === 0 && this.remaining <= 0) return this.reachEof();
    this.pump();
  }

  private reachEof(): void {
    if (this.eof) return;
    this.eof = true;
    this.slots.length = 0;
    this.handle?.wantRead(null);
    this.settle();
    this.finish(null, 'in');
    this.releaseFd();
  }

  private fail(error: unknown, syscall: string): void {
    if (this.eof) return;
    this.failure = KernelError.from(error, this.describe(), syscall);
    this.eof = true;
    this.slots.length = 0;
    this.handle?.wantRead(null);
    this.settle();
    this.finish(this.failure, 'in');
    this.releaseFd();
  }

  // Wakes a waiting reader with what it can have now: end of stream or the failure.
  private settle(): void {
    const waiter = this.waiter;
    if (!waiter || this.ready.length) return;
    this.waiter = null;
    if (this.failure) waiter.reject(this.failure);
    else waiter.resolve(null);
  }

  private releaseFd(): void {
    if (this.released || this.inflight > 0) return;
    this.released = true;
    if (this.handle) this.handle.release();
    else this.closeFd?.();
  }
}

/**
 * A KInput that reads exactly `limit` bytes (fewer only if the file ends first): a file range.
 *
 * @example
 * import { readFileRange } from '@x/kernel-io';
 * const range = readFileRange('/etc/passwd', 0, 16); // a KLimit
 * for await (const chunk of range) console.log(chunk.length, range.limit);
 */
export class KLimit extends KInput {
  /** The number of bytes this channel reads at most. */
  readonly limit: number;
  /** @internal Use readFileRange(). */
  constructor(source: InputSource & { limit: number }, options?: InputOptions) {
    super(source, options);
    this.limit = source.limit;
  }
}
