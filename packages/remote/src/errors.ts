import { InvalidArgumentError } from '@x/signals';

export { InvalidArgumentError };

/**
 * Why a message could not be delivered or answered (a dead message's reason):
 * - `'disconnected'`: the context ended, was killed, or its stream broke before it answered;
 * - `'no-route'`: no stream leads to the destination context;
 * - `'refused'`: the destination's policy refused the message (no parent authority, unknown module);
 * - `'too-large'`: the message exceeds the router's `maxMessageSize`;
 * - `'shutdown'`: the router (or the context) is shutting down;
 * - `'closed'`: the other end closed the channel (a Sender was closed, a handle was removed);
 * - `'aborted'`: the caller's AbortSignal fired;
 * - `'overflow'`: more was sent than flow control allows: a Sender not awaited ran SENDER_QUEUE_LIMIT
 *   bytes ahead (await `send()`), or a context sent past the credit its receiver granted.
 */
export type ChannelErrorReason = 'disconnected' | 'no-route' | 'refused' | 'too-large' | 'shutdown' | 'closed' | 'aborted' | 'overflow';

/**
 * A message was not delivered or will never be answered; `reason` says why. Every waiter on a context
 * gets one when the cause happens, so no call ever hangs on a dead context.
 *
 * @example
 * import { ChannelError } from '@x/remote';
 * try { await ctx.call(url, 'work'); } catch (error) {
 *   if (error instanceof ChannelError && error.reason === 'disconnected') console.error(`${ctx.name} died`);
 * }
 */
export class ChannelError extends Error {
  readonly code = 'ERR_X_REMOTE_CHANNEL';
  readonly reason: ChannelErrorReason;
  constructor(reason: ChannelErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
Object.defineProperty(ChannelError.prototype, 'name', { value: 'ChannelError' });

/** A call did not answer within its `timeoutMs`. The call may still be running in the context. */
export class CallTimeoutError extends Error {
  readonly code = 'ERR_X_REMOTE_CALL_TIMEOUT';
  /** The timeout that expired, in milliseconds. */
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not answer within ${timeoutMs} ms; raise timeoutMs or check what the context is doing.`);
    this.timeoutMs = timeoutMs;
  }
}
Object.defineProperty(CallTimeoutError.prototype, 'name', { value: 'CallTimeoutError' });

/**
 * An error thrown by a function in a context, as it arrives at the caller: the remote class name
 * (`remoteName`, also in `name`), `message`, `code` (when the remote error had one), `cause` (itself
 * a RemoteError or built-in error), `stack`, whose frames are prefixed with the context's name and name
 * the parent's files and lines, and the remote error's own enumerable fields that serialize (`status`,
 * `detail`; Node's `errno`, `syscall`, `path`), up to 64, as own properties. A plain `Error` (Node's
 * `ENOENT` from `fs` included) arrives as a RemoteError too; the other built-in classes (TypeError,
 * RangeError, ...) arrive as those classes instead, with their fields and a `context` property naming
 * where they came from.
 *
 * @example
 * import { RemoteError } from '@x/remote';
 * try { await ctx.call(url, 'readConfig'); } catch (error) {
 *   if (error instanceof RemoteError && error.code === 'ENOENT') console.error(`${error.context} has no ${String(error['path'])}`);
 * }
 */
export class RemoteError extends Error {
  /** The remote error's own fields: data from the context, which never replace the properties below. */
  readonly [field: string]: unknown;
  /** The class name of the error in the context, e.g. `'ValidationError'`. */
  readonly remoteName: string;
  /** The remote error's `code`, when it had a string or number one (an own property only then). */
  declare readonly code: string | number | undefined;
  /** The name of the context that threw it. */
  readonly context: string;
  constructor(remoteName: string, message: string, context: string, options?: { cause?: unknown }) {
    super(message, options);
    this.remoteName = remoteName;
    this.context = context;
    Object.defineProperty(this, 'name', { value: remoteName, enumerable: false, configurable: true, writable: true });
  }
}

/** A context could not be started or did not come up: `code` says which step failed. */
export class ConnectError extends Error {
  readonly code:
    | 'ERR_X_REMOTE_CONNECT_TIMEOUT'
    | 'ERR_X_REMOTE_EOF'
    | 'ERR_X_REMOTE_NODE_NOT_FOUND'
    | 'ERR_X_REMOTE_PASSWORD'
    | 'ERR_X_REMOTE_HOST_KEY'
    | 'ERR_X_REMOTE_CONNECTION_REFUSED'
    | 'ERR_X_REMOTE_CONNECTION_RESET'
    | 'ERR_X_REMOTE_AUTH';
  /** The context's last stderr lines, the best hint at what went wrong. */
  readonly stderrTail: string;
  /**
   * Whether the same start may well succeed if tried again unchanged: true only for a connection the
   * server dropped before the login (`ERR_X_REMOTE_CONNECTION_RESET`, what sshd does past MaxStartups).
   */
  readonly transient: boolean;
  constructor(code: ConnectError['code'], message: string, stderrTail: string, options?: { cause?: unknown }) {
    super(stderrTail ? `${message}\nLast stderr lines:\n${stderrTail}` : message, options);
    this.code = code;
    this.stderrTail = stderrTail;
    this.transient = code === 'ERR_X_REMOTE_CONNECTION_RESET';
  }
}
Object.defineProperty(ConnectError.prototype, 'name', { value: 'ConnectError' });

/** `parentContext()` or `currentContext()` was called outside a function running in a context. */
export class NotInContextError extends Error {
  readonly code = 'ERR_X_REMOTE_NOT_IN_CONTEXT';
  constructor(what: string) {
    super(`${what}() works only inside a function called in a context (through ctx.call); this process is not one.`);
  }
}
Object.defineProperty(NotInContextError.prototype, 'name', { value: 'NotInContextError' });

/** A called module has no function under the export name given. */
export class NoSuchExportError extends Error {
  readonly code = 'ERR_X_REMOTE_NO_EXPORT';
  constructor(moduleUrl: string, exportName: string, found: unknown) {
    super(`${moduleUrl} has no exported function ${JSON.stringify(exportName)} (found ${found === undefined ? 'nothing' : typeof found}); export it or check the name.`);
  }
}
Object.defineProperty(NoSuchExportError.prototype, 'name', { value: 'NoSuchExportError' });

/** A value cannot travel: functions, symbols, WeakMaps, and objects holding native handles cannot be serialized. */
export class SerializationError extends Error {
  readonly code = 'ERR_X_REMOTE_NOT_SERIALIZABLE';
  constructor(cause: Error) {
    super(`${cause.message.replace(/\.$/, '')}: a value passed to or returned from a context must be data (no functions, symbols or native handles); pass what the function needs to rebuild it.`, { cause });
  }
}
Object.defineProperty(SerializationError.prototype, 'name', { value: 'SerializationError' });
