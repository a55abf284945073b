// Matrix: the owner of channels. Every channel made through a Matrix is counted in its stats and
// ended by its terminate(); the module-level functions use one process-wide Matrix.
import type { KChannel } from './channel.js';
import { KDuplex, connectInput, connectOutput, pipe, socketpair } from './connect.js';
import { openAppendFile, openReadFile, openReadFileRange, openUpdateFile, openWriteFile } from './files.js';
import type { InputOptions, KInput, KLimit } from './input.js';
import { openConnect, openListen, type AcceptOptions, type Endpoint, type KAccept } from './net.js';
import type { KOutput, OutputOptions } from './output.js';
import { KSegments, type SegmentOptions } from './segments.js';

/** What a Matrix has moved and holds. */
export interface MatrixStats {
  /** Channels alive now. */
  channels: number;
  /** Channels made since the Matrix was created. */
  opened: number;
  /** Bytes read from the kernel (inputs, segments). */
  bytesIn: number;
  /** Bytes written to the kernel (outputs). */
  bytesOut: number;
}

/**
 * Owns channels: makes them (the same functions as the module's), counts their bytes in `stats`, and
 * ends every one still open with `terminate()` — a request's or a worker's whole I/O in one place.
 *
 * @example
 * import { Matrix } from '@x/kernel-io';
 * const matrix = new Matrix();
 * const [input, output] = matrix.pipe();
 * await output.send('x');
 * console.log(matrix.stats); // { channels: 2, opened: 2, bytesIn: 0, bytesOut: 1 }
 * matrix.terminate();
 */
export class Matrix {
  private readonly live = new Set<KChannel>();
  private opened = 0;
  private bytesIn = 0;
  private bytesOut = 0;

  /** A snapshot of the counters. */
  get stats(): MatrixStats {
    return { channels: this.live.size, opened: this.opened, bytesIn: this.bytesIn, bytesOut: this.bytesOut };
  }

  /** The channels alive now. */
  get channels(): KChannel[] {
    return [...this.live];
  }

  /** Terminates every channel this Matrix owns (queued bytes are dropped, fds closed). */
  terminate(error?: Error): void {
    for (const channel of [...this.live]) channel.terminate(error);
  }

  /** @internal */
  adopt(channel: KChannel): void {
    if (channel.terminated || this.live.has(channel)) return;
    this.live.add(channel);
    this.opened++;
  }

  /** @internal */
  forget(channel: KChannel): void {
    this.live.delete(channel);
  }

  /** @internal */
  count(bytes: number, direction: 'in' | 'out'): void {
    if (direction === 'in') this.bytesIn += bytes;
    else this.bytesOut += bytes;
  }

  /** See {@link readFile}. */
  readFile(path: string, options?: InputOptions): KInput {
    return openReadFile(path, options).attach(this);
  }

  /** See {@link readFileRange}. */
  readFileRange(path: string, start: number, stop: number, options?: InputOptions): KLimit {
    return openReadFileRange(path, start, stop, options).attach(this);
  }

  /** See {@link writeFile}. */
  writeFile(path: string, options?: OutputOptions): KOutput {
    return openWriteFile(path, options).attach(this);
  }

  /** See {@link appendFile}. */
  appendFile(path: string, options?: OutputOptions): KOutput {
    return openAppendFile(path, options).attach(this);
  }

  /** See {@link updateFile}. */
  updateFile(path: string, offset: number, size: number, options?: OutputOptions): KOutput {
    return openUpdateFile(path, offset, size, options).attach(this);
  }

  /** See {@link connectInput}. */
  connectInput(fd: number, options?: InputOptions): KInput {
    return connectInput(fd, options).attach(this);
  }

  /** See {@link connectOutput}. */
  connectOutput(fd: number, options?: OutputOptions): KOutput {
    return connectOutput(fd, options).attach(this);
  }

  /** See {@link pipe}. */
  pipe(options?: InputOptions & OutputOptions): [KInput, KOutput] {
    const [input, output] = pipe(options);
    return [input.attach(this), output.attach(this)];
  }

  /** See {@link socketpair}. */
  socketpair(options?: InputOptions & OutputOptions): [KDuplex, KDuplex] {
    const pair = socketpair(options);
    for (const end of pair) this.adoptDuplex(end);
    return pair;
  }

  /** See {@link listen}. */
  async listen(interfaces: Endpoint | Endpoint[], options?: AcceptOptions): Promise<KAccept[]> {
    const accepts = await openListen(interfaces, options);
    for (const accept of accepts) accept.attach(this);
    return accepts;
  }

  /** See {@link connect}. */
  async connect(endpoint: Endpoint, options?: InputOptions & OutputOptions): Promise<KDuplex> {
    return this.adoptDuplex(await openConnect(endpoint, options));
  }

  /** See {@link streamSharedSegments}. */
  streamSharedSegments(path: string, options: SegmentOptions = {}): KSegments {
    return new KSegments(path, options).attach(this);
  }

  private adoptDuplex(end: KDuplex): KDuplex {
    end.input.attach(this);
    end.output.attach(this);
    return end;
  }
}

const key = Symbol.for('@x/kernel-io');
type Global = { [key]?: { matrix: Matrix } };

/** The process-wide Matrix behind the module-level functions (shared by every copy of the package). */
export function defaultMatrix(): Matrix {
  const g = globalThis as Global;
  g[key] ??= { matrix: new Matrix() };
  return g[key].matrix;
}
