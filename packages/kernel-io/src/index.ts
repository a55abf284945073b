/**
 * @x/kernel-io: flow-controlled channels moving bytes in and out of the kernel at memory speed.
 *
 * @example
 * import { readFile } from '@x/kernel-io';
 * const input = readFile('/etc/hostname');
 * for await (const chunk of input) { process.stdout.write(chunk); input.release(chunk); }
 */
export { KChannel } from './channel.js';
export type { Transfer } from './channel.js';
export { KInput, KLimit } from './input.js';
export type { InputOptions } from './input.js';
export { KOutput } from './output.js';
export type { OutputOptions } from './output.js';
export { KDuplex } from './connect.js';
export { KAccept } from './net.js';
export type { AcceptOptions, Endpoint } from './net.js';
export { KSegments } from './segments.js';
export type { SegmentOptions } from './segments.js';
export { Matrix, defaultMatrix } from './matrix.js';
export type { MatrixStats } from './matrix.js';
export {
  readFile,
  readFileRange,
  writeFile,
  appendFile,
  updateFile,
  listen,
  connect,
  connectInput,
  connectOutput,
  streamSharedSegments,
  pipe,
  socketpair,
} from './api.js';
export { sendFds, recvFds } from './fds.js';
export type { ReceivedFds } from './fds.js';
export { toReadable, toWritable, toReadableStream, toWritableStream } from './streams.js';
export { KernelError, ChannelTerminatedError, InvalidArgumentError } from './errors.js';
