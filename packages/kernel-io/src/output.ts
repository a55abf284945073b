// KOutput: bytes going into the kernel through a queue limited by entries (koLimit). Over the limit
// the channel is obstructed: write() says so and send()/ready() wait; nothing is ever dropped.
import * as fs from 'node:fs';
import { KChannel } from './channel.js';
import { ChannelTerminatedError, InvalidArgumentError, KernelError, checkInteger } from './errors.js';
import { FdHandle } from './fd-handle.js';
import { native } from './native.js';
import { toWritable, toWritableStream } from './streams.js';
import type { Writable } from 'node:stream';

/** How a {@link KOutput} writes. */
export interface OutputOptions {
  /** Queue entries (buffers) the channel holds before it is obstructed: obstructed over it (default 16, as fault's ko_limit). */
  limit?: number;
  /** The channel owns the fd and closes it when it terminates (default true). */
  own?: boolean;
}

/** @internal What a KOutput writes to. */
export interface OutputSource {
  fd: number;
  /** 'file': writes on the thread pool; 'stream': a nonblocking fd polled on the event loop. */
  kind: 'file' | 'stream';
  /** Where file writes start (null: the fd's offset, or the end with O_APPEND). */
  position?: number | null;
  /** The most bytes the channel accepts (updateFile's size), default unlimited. */
  capacity?: number;
  /** end() shuts down the write side of this socket instead of closing the fd. */
  socket?: boolean;
  /** Closes the fd (default: fs.closeSync), or null to leave it open. */
  close?: (() => void) | null;
  what?: string;
}

type Chunk = Buffer | Uint8Array | string;

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

const IOV_MAX = 1024;

/**
 * A channel writing to an fd through a queue of at most `limit` entries before it is obstructed.
 * Partial writes resume where they stopped; EINTR and EAGAIN never surface; EPIPE, ECONNRESET and EIO
 * terminate the channel with a {@link KernelError}. `end()` flushes the queue, then shuts down only
 * the write side of a socket (closes a pipe or file).
 *
 * @example
 * import { writeFile } from '@x/kernel-io';
 * const output = writeFile('/tmp/hello.txt');
 * await output.send('hello\n');
 * await output.end();
 */
export class KOutput extends KChannel {
  readonly fd: number;
  /** Queue entries before the channel is obstructed. */
  readonly limit: number;
  /** @internal */
  protected readonly source: OutputSource;
  private readonly handle: FdHandle | null;
  private readonly queue: Buffer[] = [];
  /** Bytes of queue[0] already written. */
  private offset = 0;
  private position: number | null;
  private capacity: number;
  private writing = false;
  /** A stream output waits for the fd to become writable. */
  private blocked = false;
  private ending: Promise<void> | null = null;
  private endWaiter: Waiter | null = null;
  private waiters: Waiter[] = [];
  private released = false;
  private readonly closeFd: (() => void) | null;

  /** @internal Use writeFile(), connectOutput() or another function that makes one. */
  constructor(source: OutputSource, options: OutputOptions = {}) {
    super();
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
    this.source = source;
    this.fd = source.fd;
    this.limit = checkInteger('options.limit', options.limit ?? 16, 1, 1 << 20);
    this.position = source.position ?? null;
    this.capacity = source.capacity ?? Infinity;
    const fd = source.fd;
    this.closeFd = options.own !== false ? (source.close === undefined ? () => fs.closeSync(fd) : source.close) : null;
    this.handle = source.kind === 'stream' ? FdHandle.acquire(fd, this.closeFd) : null;
  }

  /** Bytes queued and not yet written. */
  get pending(): number {
    let total = -this.offset;
    for (const buffer of this.queue) total += buffer.length;
    return total;
  }

  /**
   * Queues `chunk` (a string is UTF-8) and starts writing it. Returns false when the channel is now
   * obstructed (more than `limit` entries queued): wait for {@link KOutput.ready} (or `'clear'`) before writing more. The chunk must not
   * be modified until it has been written (the `'transfer'` event, or ready()).
   *
   * @throws the channel's KernelError after a failure; ChannelTerminatedError after terminate() or end().
   */
  write(chunk: Chunk): boolean {
    const buffer = toBuffer(chunk);
    if (this.terminated || this.ending) throw this.error ?? new ChannelTerminatedError(this.describe());
    if (buffer.length > this.capacity) {
      throw new InvalidArgumentError('chunk', `at most ${this.capacity} more bytes (the channel's size)`, `${buffer.length} bytes`);
    }
    if (buffer.length === 0) return !this.obstructed;
    this.capacity -= buffer.length;
    this.queue.push(buffer);
    // Over the limit (fault's ko_overflow: entries exceed ko_limit), producers are asked to wait.
    if (this.queue.length > this.limit) this.obstruct(true);
    if (!this.writing && !this.blocked) this.flush();
    return !this.obstructed;
  }

  /** Resolves when the channel is not obstructed; rejects if it terminates first with an error. */
  ready(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.terminated && !this.obstructed) return Promise.resolve();
    if (!this.obstructed) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** write() then ready(): queues `chunk` and waits while the channel is obstructed. */
  send(chunk: Chunk): Promise<void> {
    try {
      return this.write(chunk) ? Promise.resolve() : this.ready();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Writes what is queued, then shuts down the write side (a socket: the peer reads end of stream,
   * and this process can still read) or closes the fd. Resolves when done; rejects with the failure.
   */
  end(): Promise<void> {
    if (this.ending) return this.ending;
    if (this.terminated) return this.error ? Promise.reject(this.error) : Promise.resolve();
    this.ending = new Promise<void>((resolve, reject) => {
      this.endWaiter = { resolve, reject };
    });
    if (!this.writing && !this.blocked && this.queue.length === 0) this.complete();
    return this.ending;
  }

  /** This channel as a Node Writable with its back-pressure (see {@link toWritable}). */
  toWritable(): Writable {
    return toWritable(this);
  }

  /** This channel as a web WritableStream with its back-pressure (see {@link toWritableStream}). */
  toWritableStream(): WritableStream<Uint8Array | string> {
    return toWritableStream(this);
  }

  terminate(error?: Error): void {
    if (this.terminated) return;
    this.queue.length = 0;
    this.offset = 0;
    this.stop(error ?? null);
  }

  protected describe(): string {
    return `KOutput#${this.id} (${this.source.what ?? `fd ${this.fd}`})`;
  }

  private flush(): void {
    if (this.handle) this.flushStream();
    else this.flushFile();
  }

  private onWritable = (error: Error | null): void => {
    this.blocked = false;
    if (error) return this.fail(error, 'poll');
    this.flushStream();
  };

  // Writes synchronously while the kernel takes everything; a partial write means its buffer is full.
  private flushStream(): void {
    const fd = this.fd;
    while (this.queue.length && !this.terminated) {
      let n: number;
      const head = this.queue[0]!;
      let total: number;
      try {
        if (this.queue.length === 1 || this.offset > 0) {
          total = head.length - this.offset;
          n = fs.writeSync(fd, head, this.offset, total);
        } else {
          const batch = this.queue.length > IOV_MAX ? this.queue.slice(0, IOV_MAX) : this.queue;
          total = 0;
          for (const buffer of batch) total += buffer.length;
          n = fs.writevSync(fd, batch);
        }
      } catch (failure) {
        const code = (failure as { code?: string }).code;
        if (code === 'EINTR') continue;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return this.wait();
        return this.fail(failure, this.queue.length > 1 ? 'writev' : 'write');
      }
      this.advance(n);
      if (n < total) return this.wait();
    }
    this.handle!.wantWrite(null);
    this.drained();
  }

  private wait(): void {
    this.blocked = true;
    this.handle!.wantWrite(this.onWritable);
  }

  // Files: one write (or writev) at a time on the thread pool, positional when a position is set.
  private flushFile(): void {
    if (this.writing || this.terminated) return;
    if (this.queue.length === 0) return this.drained();
    this.writing = true;
    const done = (error: NodeJS.ErrnoException | null, n: number): void => {
      this.writing = false;
      if (this.terminated) return this.releaseFd();
      if (error) return this.fail(error, 'write');
      if (this.position !== null) this.position += n;
      this.advance(n);
      this.flushFile();
    };
    if (this.queue.length === 1 || this.offset > 0) {
      const head = this.queue[0]!;
      fs.write(this.fd, head, this.offset, head.length - this.offset, this.position, done);
    } else {
      const batch = this.queue.length > IOV_MAX ? this.queue.slice(0, IOV_MAX) : this.queue.slice();
      fs.writev(this.fd, batch, this.position, (error, n) => done(error, n));
    }
  }

  // `n` bytes from the head of the queue reached the kernel.
  private advance(n: number): void {
    let left = n;
    while (left > 0) {
      const head = this.queue[0]!;
      const rest = head.length - this.offset;
      if (left < rest) {
        this.offset += left;
        this.transferred(head.subarray(this.offset - left, this.offset), false, false, 'out');
        return;
      }
      left -= rest;
      this.queue.shift();
      this.transferred(this.offset ? head.subarray(this.offset) : head, this.queue.length === 0, false, 'out');
      this.offset = 0;
    }
    if (this.queue.length <= this.limit && this.obstructed) this.clear();
  }

  private clear(): void {
    this.obstruct(false);
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  private drained(): void {
    if (this.obstructed) this.clear();
    if (this.ending && this.queue.length === 0) this.complete();
  }

  // end(): everything is written; shut down the write side or let go of the fd.
  private complete(): void {
    if (this.terminated) return;
    if (this.source.socket) {
      try {
        native().shutdown(this.fd, 'w');
      } catch (failure) {
        // ENOTCONN: the peer is already gone; the write side is shut either way.
        if ((failure as { code?: string }).code !== 'ENOTCONN') return this.fail(failure, 'shutdown');
      }
    }
    this.stop(null);
  }

  private fail(error: unknown, syscall: string): void {
    if (this.terminated) return;
    this.queue.length = 0;
    this.offset = 0;
    this.stop(KernelError.from(error, this.describe(), syscall));
  }

  private stop(error: Error | null): void {
    if (!this.finish(error, 'out')) return;
    this.handle?.wantWrite(null);
    const waiters = this.waiters;
    this.waiters = [];
    this.obstructed = false;
    for (const waiter of waiters) (error ? waiter.reject(error) : waiter.resolve());
    const endWaiter = this.endWaiter;
    this.endWaiter = null;
    if (endWaiter) (error ? endWaiter.reject(error) : endWaiter.resolve());
    this.releaseFd();
  }

  private releaseFd(): void {
    if (this.released || this.writing) return;
    this.released = true;
    if (this.handle) this.handle.release();
    else this.closeFd?.();
  }
}

function toBuffer(chunk: Chunk): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidArgumentError('chunk', 'a Buffer, Uint8Array or string', chunk);
}
