import { Socket } from 'node:net';
import { deserialize, serialize } from 'node:v8';
import { ChildDiedError, InvalidArgumentError } from './errors.js';
import { runnerSource } from './concurrently-runner.js';
import { native } from './native.js';
import { spawn } from './spawn.js';

/** What a `concurrently` child answers. */
type Answer = { ok: true; value: unknown } | { ok: false; error: DescribedError };
type DescribedError = { thrown: unknown } | { name: string; message: string; stack?: string; props: Record<string, unknown> };

const standardErrors: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/**
 * Runs an exported function in a child Node process and gives back its result: the function's return
 * value (awaited) comes back as a structured clone (v8 serializer: Maps, Dates, typed arrays, cycles).
 * A thrown error is rethrown here with its `name`, `message`, the child's `stack` and its other
 * cloneable fields (`code`…). The child is a fresh process: nothing of this one's memory is shared
 * (fault's concurrently forked; Node cannot fork, so the function is named by module and export).
 *
 * @param moduleUrl the module's URL (`import.meta.url`-style `file:` URL, or a package name), imported in the child.
 * @param exportName the name of the exported function.
 * @param args its arguments, structured-cloned into the child.
 * @throws the function's own error, rebuilt; a `DataCloneError` for a result or argument that cannot be cloned.
 * @throws {ChildDiedError} `ERR_X_PROCESS_CHILD_DIED` when the child is killed by a signal (`signal`)
 *   or exits (`exitCode`) before answering.
 * @throws `ERR_X_INVALID_ARG` for a module URL or export name that is not a non-empty string.
 * @example
 * import { concurrently } from '@x/process';
 * // hash.js: export function sha256(text) { return createHash('sha256').update(text).digest('hex'); }
 * const digest = await concurrently(new URL('./hash.js', import.meta.url).href, 'sha256', 'hello');
 */
export async function concurrently<T = unknown>(moduleUrl: string | URL, exportName: string, ...args: unknown[]): Promise<T> {
  const url = moduleUrl instanceof URL ? moduleUrl.href : moduleUrl;
  if (typeof url !== 'string' || url === '') throw new InvalidArgumentError('moduleUrl', 'a module URL or specifier', moduleUrl);
  if (typeof exportName !== 'string' || exportName === '') throw new InvalidArgumentError('exportName', 'a non-empty string', exportName);
  let request: Buffer;
  try {
    request = serialize({ moduleUrl: url, exportName, args });
  } catch (error) {
    throw new DOMException(`The arguments of ${JSON.stringify(exportName)} cannot be sent to a child process: ${(error as Error).message}`, 'DataCloneError');
  }

  const [mine, theirs] = native().socketpair('stream');
  let child;
  try {
    child = spawn(process.execPath, [...childExecArgv(), '--input-type=module', '-e', runnerSource], {
      stdio: ['ignore', 'inherit', 'inherit', theirs],
      pgid: null,
    });
  } catch (error) {
    native().close(mine);
    throw error;
  } finally {
    native().close(theirs);
  }
  const socket = new Socket({ fd: mine, readable: true, writable: true });
  const chunks: Buffer[] = [];
  const received = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve());
    // A reset by a dying child is reported by its exit status, below.
    socket.on('error', () => {});
  });
  const frame = Buffer.allocUnsafe(4 + request.length);
  frame.writeUInt32BE(request.length, 0);
  request.copy(frame, 4);
  socket.end(frame);
  const [result] = await Promise.all([child.exited, received]);
  const bytes = Buffer.concat(chunks);
  if (bytes.length < 4 || bytes.length < 4 + bytes.readUInt32BE(0)) {
    throw new ChildDiedError(`concurrently(${exportName})`, result.pid, result.code, result.signal);
  }
  const answer = deserialize(bytes.subarray(4, 4 + bytes.readUInt32BE(0))) as Answer;
  if (answer.ok) return answer.value as T;
  throw rebuild(answer.error);
}

function rebuild(described: DescribedError): unknown {
  if ('thrown' in described) return described.thrown;
  const Constructor = standardErrors[described.name] ?? Error;
  const error = new Constructor(described.message);
  Object.assign(error, described.props);
  if (!(described.name in standardErrors)) Object.defineProperty(error, 'name', { value: described.name, configurable: true, writable: true });
  if (described.stack !== undefined) Object.defineProperty(error, 'stack', { value: described.stack, configurable: true, writable: true });
  return error;
}

/** This process's Node flags, as child_process.fork passes them, less the debugger's (its port is taken). */
function childExecArgv(): string[] {
  return process.execArgv.filter((flag) => !/^--inspect(-brk|-port|-publish-uid)?(=|$)/.test(flag));
}
