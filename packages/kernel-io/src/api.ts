// The module-level functions: each makes its channel in the process-wide Matrix (defaultMatrix()).
import type { KDuplex } from './connect.js';
import type { InputOptions, KInput, KLimit } from './input.js';
import { defaultMatrix } from './matrix.js';
import type { AcceptOptions, Endpoint, KAccept } from './net.js';
import type { KOutput, OutputOptions } from './output.js';
import type { KSegments, SegmentOptions } from './segments.js';

/**
 * A channel reading a whole file (end of file ends it), `bufferSize` bytes (default 2 MiB) per
 * positional read on the thread pool, `queue` (default 2) reads ahead of the consumer.
 *
 * @throws KernelError ENOENT, EACCES… (syscall open); ERR_X_INVALID_ARG for a bad path or option.
 * @example
 * import { readFile } from '@x/kernel-io';
 * const input = readFile('/etc/hostname');
 * for await (const chunk of input) { process.stdout.write(chunk); input.release(chunk); }
 */
export function readFile(path: string, options?: InputOptions): KInput {
  return defaultMatrix().readFile(path, options);
}

/**
 * A {@link KLimit} reading bytes [start, stop) of a file (fewer if the file ends first).
 *
 * @param start the first byte; stop: one past the last. `start > stop` is ERR_X_INVALID_ARG.
 * @example
 * import { readFileRange } from '@x/kernel-io';
 * for await (const chunk of readFileRange('/etc/passwd', 10, 20)) console.log(chunk.toString());
 */
export function readFileRange(path: string, start: number, stop: number, options?: InputOptions): KLimit {
  return defaultMatrix().readFileRange(path, start, stop, options);
}

/**
 * A channel creating (or truncating) a file and writing it from its start.
 *
 * @example
 * import { writeFile } from '@x/kernel-io';
 * const output = writeFile('/tmp/greeting');
 * await output.send('hello\n');
 * await output.end();
 */
export function writeFile(path: string, options?: OutputOptions): KOutput {
  return defaultMatrix().writeFile(path, options);
}

/**
 * A channel appending to a file (created if missing): every write lands at the end (O_APPEND).
 *
 * @example
 * import { appendFile } from '@x/kernel-io';
 * const log = appendFile('/tmp/log');
 * await log.send('one more line\n');
 * await log.end();
 */
export function appendFile(path: string, options?: OutputOptions): KOutput {
  return defaultMatrix().appendFile(path, options);
}

/**
 * A channel overwriting `size` bytes of an existing file in place from `offset`: the file is neither
 * truncated nor appended to (unless the write reaches past its end); writing more than `size` bytes
 * is refused with ERR_X_INVALID_ARG.
 *
 * @throws KernelError ENOENT when the file does not exist.
 * @example
 * import { updateFile } from '@x/kernel-io';
 * const patch = updateFile('/tmp/greeting', 0, 5);
 * await patch.send('HELLO');
 * await patch.end();
 */
export function updateFile(path: string, offset: number, size: number, options?: OutputOptions): KOutput {
  return defaultMatrix().updateFile(path, offset, size, options);
}

/**
 * Listens on each endpoint; one {@link KAccept} per endpoint, in order.
 *
 * @example
 * import { listen, connect } from '@x/kernel-io';
 * const [server] = await listen({ host: '127.0.0.1', port: 0 });
 * const client = await connect(server.address);
 */
export function listen(interfaces: Endpoint | Endpoint[], options?: AcceptOptions): Promise<KAccept[]> {
  return defaultMatrix().listen(interfaces, options);
}

/**
 * Connects to a TCP or Unix endpoint; resolves with both directions as a {@link KDuplex}.
 *
 * @throws KernelError ECONNREFUSED… (syscall connect).
 * @example
 * import { connect } from '@x/kernel-io';
 * const connection = await connect({ host: '127.0.0.1', port: 8080 });
 */
export function connect(endpoint: Endpoint, options?: InputOptions & OutputOptions): Promise<KDuplex> {
  return defaultMatrix().connect(endpoint, options);
}

/**
 * Bytes [start, stop) of a file as zero-copy views of shared mappings, `size` bytes each.
 *
 * @throws ERR_X_INVALID_ARG for start > stop or stop past the file's end; KernelError from open/mmap.
 * @example
 * import { streamSharedSegments } from '@x/kernel-io';
 * for await (const segment of streamSharedSegments('/etc/passwd', { start: 0, stop: 100, size: 10 })) console.log(segment.length);
 */
export function streamSharedSegments(path: string, options?: SegmentOptions): KSegments {
  return defaultMatrix().streamSharedSegments(path, options);
}

/**
 * A KInput reading `fd`. A regular file is read from its current offset on the thread pool; a pipe,
 * socket, tty or character device is set nonblocking (O_NONBLOCK is shared by every duplicate of the
 * open file description) and polled on the event loop. The channel owns the fd and closes it when it
 * terminates unless `own: false`; the same fd given to connectInput and connectOutput is shared and
 * closed when both have terminated.
 *
 * @param fd an open fd.
 * @param options bufferSize, queue, `hangupIsEof` (EIO = end of stream: set it for a pty master), own.
 * @example
 * import { connectInput } from '@x/kernel-io';
 * for await (const chunk of connectInput(0, { own: false })) process.stdout.write(chunk);
 */
export function connectInput(fd: number, options?: InputOptions): KInput {
  return defaultMatrix().connectInput(fd, options);
}

/**
 * A KOutput writing to `fd`: a regular file at its offset (or its end with O_APPEND), anything else
 * nonblocking and polled. `end()` shuts down the write side of a socket, closes anything else. Fd
 * ownership as for {@link connectInput}.
 *
 * @example
 * import { connectOutput } from '@x/kernel-io';
 * const out = connectOutput(1, { own: false });
 * await out.send('hello\n');
 */
export function connectOutput(fd: number, options?: OutputOptions): KOutput {
  return defaultMatrix().connectOutput(fd, options);
}

/**
 * A new pipe as channels: `[input, output]`; bytes written to `output` are read from `input`.
 *
 * @example
 * import { pipe } from '@x/kernel-io';
 * const [input, output] = pipe();
 * await output.send('hi'); await output.end();
 * for await (const chunk of input) console.log(chunk.toString());
 */
export function pipe(options?: InputOptions & OutputOptions): [KInput, KOutput] {
  return defaultMatrix().pipe(options);
}

/**
 * A new connected pair of Unix stream sockets, each as a {@link KDuplex}.
 *
 * @example
 * import { socketpair } from '@x/kernel-io';
 * const [left, right] = socketpair();
 * await left.output.send('ping');
 * console.log((await right.input.read())?.toString());
 * left.terminate(); right.terminate();
 */
export function socketpair(options?: InputOptions & OutputOptions): [KDuplex, KDuplex] {
  return defaultMatrix().socketpair(options);
}
