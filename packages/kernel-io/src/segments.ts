// streamSharedSegments: a file range as zero-copy views of shared memory mappings.
import * as fs from 'node:fs';
import { KChannel } from './channel.js';
import { ChannelTerminatedError, InvalidArgumentError, KernelError, checkInteger } from './errors.js';
import { native } from './native.js';
import { toReadable, toReadableStream } from './streams.js';
import type { Readable } from 'node:stream';

let canPopulate = true;

// Maps the window's pages in one call (MADV_POPULATE_READ) rather than a page fault per few pages on
// first touch: the difference between half and most of memcpy speed. Kernels before 5.14 say EINVAL:
// then sequential read-ahead is the best hint there is. EFAULT means the file shrank under the range:
// thrown, since touching those pages would raise SIGBUS.
function populate(memory: ArrayBuffer): void {
  if (canPopulate) {
    try {
      native().madvise(memory, 'populate');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EFAULT') throw error;
      if (code === 'EINVAL') canPopulate = false;
    }
  }
  native().madvise(memory, 'sequential');
}

/** Which part of the file {@link streamSharedSegments} maps, and in what pieces. */
export interface SegmentOptions {
  /** The first byte (default 0). */
  start?: number;
  /** One past the last byte (default: the file's size when the channel opens). */
  stop?: number;
  /** Bytes per segment delivered (default 1 MiB); the last one may be shorter. */
  size?: number;
  /** Bytes per mmap(2) call (default 64 MiB, rounded up to a multiple of `size`). */
  window?: number;
}

/**
 * A channel delivering bytes [start, stop) of a file as Buffers that are views of read-only shared
 * mappings: no copy, no read(2). A segment stays valid while referenced (its mapping is unmapped when
 * garbage-collected). The file must not shrink while mapped (touching a truncated page raises SIGBUS).
 *
 * @example
 * import { streamSharedSegments } from '@x/kernel-io';
 * let total = 0;
 * for await (const segment of streamSharedSegments('/etc/passwd', { start: 0, size: 4096 })) total += segment.length;
 */
export class KSegments extends KChannel implements AsyncIterable<Buffer> {
  readonly fd: number;
  readonly start: number;
  readonly stop: number;
  readonly size: number;
  private readonly window: number;
  private readonly path: string;
  private next: number;
  private mapped: Buffer | null = null;
  private mappedAt = 0;

  /** @internal use {@link streamSharedSegments}. */
  constructor(path: string, options: SegmentOptions) {
    super();
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path', 'a non-empty string', path);
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
    this.path = path;
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (error) {
      throw KernelError.from(error, `streamSharedSegments ${JSON.stringify(path)}`, 'open');
    }
    this.fd = fd;
    try {
      const fileSize = fs.fstatSync(fd).size;
      this.start = checkInteger('options.start', options.start ?? 0, 0);
      this.stop = checkInteger('options.stop', options.stop ?? fileSize, 0);
      if (this.start > this.stop) throw new InvalidArgumentError('options.start', `at most stop (${this.stop})`, this.start);
      if (this.stop > fileSize) throw new InvalidArgumentError('options.stop', `at most the file's size (${fileSize})`, this.stop);
      this.size = checkInteger('options.size', options.size ?? 1 << 20, 1, 1 << 30);
      const window = checkInteger('options.window', options.window ?? 64 << 20, 1, 2 ** 40);
      this.window = Math.ceil(window / this.size) * this.size;
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
    this.next = this.start;
    if (this.next === this.stop) this.end(null);
  }

  /** The next segment, or null after the range's last byte. */
  read(): Promise<Buffer | null> {
    try {
      return Promise.resolve(this.take());
    } catch (error) {
      return Promise.reject(error);
    }
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
        const segment = this.take();
        if (segment === null) return;
        yield segment;
      }
    } finally {
      this.terminate();
    }
  }

  terminate(error?: Error): void {
    this.end(error ?? null);
  }

  protected describe(): string {
    return `KSegments#${this.id} (${this.path} [${this.start}, ${this.stop}))`;
  }

  private take(): Buffer | null {
    if (this.terminated) {
      if (this.error) throw this.error;
      if (this.next < this.stop) throw new ChannelTerminatedError(this.describe());
      return null;
    }
    const at = this.next;
    const mapped = this.mapped;
    const length = Math.min(this.size, this.stop - at);
    let segment: Buffer;
    if (mapped !== null && at + length <= this.mappedAt + mapped.length) {
      segment = mapped.subarray(at - this.mappedAt, at - this.mappedAt + length);
    } else {
      const span = Math.min(this.window, this.stop - at);
      try {
        const memory = native().mmap(this.fd, at, span, 'r', true);
        populate(memory);
        this.mapped = Buffer.from(memory);
      } catch (error) {
        const failure = KernelError.from(error, this.describe(), 'mmap');
        this.end(failure);
        throw failure;
      }
      this.mappedAt = at;
      segment = this.mapped.subarray(0, length);
    }
    this.next = at + length;
    this.transferred(segment, true, false, 'in');
    if (this.next >= this.stop) this.end(null);
    return segment;
  }

  private end(error: Error | null): void {
    if (this.terminated) return;
    this.mapped = null;
    fs.closeSync(this.fd);
    this.finish(error, 'in');
  }
}
