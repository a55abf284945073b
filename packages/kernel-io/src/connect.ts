// Channels over fds the caller already has, and new pipes and socket pairs.
import { KInput, type InputOptions } from './input.js';
import { KOutput, type OutputOptions } from './output.js';
import { checkInteger } from './errors.js';
import { native } from './native.js';

/** Both directions of one socket: the fd is closed when both channels have terminated. */
export class KDuplex {
  /** The socket's fd. */
  readonly fd: number;
  /** What the peer sends. */
  readonly input: KInput;
  /** What goes to the peer; `output.end()` shuts down only the write side. */
  readonly output: KOutput;
  constructor(fd: number, input: KInput, output: KOutput) {
    this.fd = fd;
    this.input = input;
    this.output = output;
  }
  /** Terminates both channels (the fd closes). */
  terminate(error?: Error): void {
    this.output.terminate(error);
    this.input.terminate(error);
  }
}

/** How the fd is classified: regular files read positionally, everything else is polled. */
function kindOf(fd: number): { kind: 'file' | 'stream'; type: string } {
  const type = native().fdType(fd);
  return { kind: type === 'file' || type === 'block' ? 'file' : 'stream', type };
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
export function connectInput(fd: number, options: InputOptions = {}): KInput {
  checkInteger('fd', fd, 0, 2 ** 31 - 1);
  const { kind, type } = kindOf(fd);
  if (kind === 'stream') native().setNonblocking(fd, true);
  return new KInput({ fd, kind, position: null, what: `${type} fd ${fd}`, close: closer(fd) }, options);
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
export function connectOutput(fd: number, options: OutputOptions = {}): KOutput {
  checkInteger('fd', fd, 0, 2 ** 31 - 1);
  const { kind, type } = kindOf(fd);
  if (kind === 'stream') native().setNonblocking(fd, true);
  return new KOutput({ fd, kind, position: null, socket: type === 'socket', what: `${type} fd ${fd}`, close: closer(fd) }, options);
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
export function pipe(options: InputOptions & OutputOptions = {}): [KInput, KOutput] {
  const [readEnd, writeEnd] = native().pipe();
  let input: KInput | undefined;
  try {
    input = connectInput(readEnd, options);
    return [input, connectOutput(writeEnd, options)];
  } catch (error) {
    // Bad options: the fds made here must not outlive the refusal.
    if (input) input.terminate();
    else native().close(readEnd);
    native().close(writeEnd);
    throw error;
  }
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
export function socketpair(options: InputOptions & OutputOptions = {}): [KDuplex, KDuplex] {
  const [a, b] = native().socketpair('stream');
  let left: KDuplex | undefined;
  try {
    left = duplex(a, options);
    return [left, duplex(b, options)];
  } catch (error) {
    if (left) left.terminate();
    else native().close(a);
    native().close(b);
    throw error;
  }
}

/** Both channels of a socket fd. */
export function duplex(fd: number, options: InputOptions & OutputOptions = {}): KDuplex {
  const input = connectInput(fd, { ...options, own: false });
  try {
    const output = connectOutput(fd, options);
    // Both share one handle: the input joins the output's ownership once both exist.
    return new KDuplex(fd, input, output);
  } catch (error) {
    input.terminate();
    throw error;
  }
}

function closer(fd: number): () => void {
  return () => native().close(fd);
}
