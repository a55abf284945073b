/**
 * @x/remote: start Node processes (contexts) on this machine, and later over ssh/sudo/su, with nothing
 * installed or written on their side, and call functions of your modules in them. mitogen for Node.
 * Every duration is in milliseconds.
 */
import { NotInContextError } from './errors.js';
import type { Context } from './calls/context.js';

/**
 * The root of a tree of contexts: `local()` starts one, `receiver()` makes a stream of values,
 * `onLog()` hears their output, `close()` (or `await using`) ends them all.
 * @throws `ERR_X_INVALID_ARG` for bad options.
 */
export { Router } from './router.js';
export type { LocalOptions, RouterOptions } from './router.js';

/**
 * A context: `call(moduleUrl, exportName, ...args)`, `module<typeof import('./m.js')>(url)`,
 * `callNoReply`, `withOptions({ timeoutMs, signal })`, `shutdown({ timeoutMs })`, `name`, `id`,
 * `pid`, `disconnected`. Calls reject with RemoteError (the remote function threw), ChannelError
 * (`ERR_X_REMOTE_CHANNEL`: disconnected, no route, refused, too large, shutdown) or CallTimeoutError
 * (`ERR_X_REMOTE_CALL_TIMEOUT`).
 */
export { Context, ContextCalls } from './calls/context.js';
export type { CallOptions, ModuleProxy } from './calls/context.js';

/**
 * Files: `ctx.pushFile`, `fetchFile`, `pushDirectory`, `fetchDirectory`, `openRead`, `openWrite` take these
 * options and give these results; their failures are FileError (Node's `code`, `errno`, `syscall`, `path`,
 * and the `context` where it failed).
 */
export { FileError } from './files/file-error.js';
export type { Checksum, DirectoryResult, FileOptions, TransferResult } from './calls/file-options.js';

/**
 * What contexts below may call in this process: `router.expose(name, handlers, { policy })` registers a
 * service, `parentContext().service(name)` calls it. Nothing else here can be called from below.
 */
export type { ExposeOptions, ServiceHandlers, ServicePolicy } from './calls/services.js';

/** A stream of values sent from contexts through its `sender`, which travels as a call argument. */
export { Receiver } from './calls/receiver.js';
export { Sender } from './calls/sender.js';
/** Flow control of senders: the bytes a sender may be ahead of its receiver's consumer, and those a producer that does not await may queue beyond. */
export { RECEIVER_WINDOW, SENDER_QUEUE_LIMIT } from './calls/sender.js';

/** One line of context output: `{ context, stream: 'stdout' | 'stderr' | 'console', level, text, time }`. */
export type { LogRecord } from './calls/log-forwarder.js';
export type { LogLevel } from './routing/handles.js';

/**
 * The errors: RemoteError (a remote throw: remote class name, message, code, cause, stack prefixed with
 * the context's name), ChannelError (`ERR_X_REMOTE_CHANNEL`, with `reason`), CallTimeoutError
 * (`ERR_X_REMOTE_CALL_TIMEOUT`), ConnectError (`ERR_X_REMOTE_CONNECT_TIMEOUT`, `ERR_X_REMOTE_EOF`,
 * `ERR_X_REMOTE_NODE_NOT_FOUND`, with the stderr tail), NoSuchExportError (`ERR_X_REMOTE_NO_EXPORT`),
 * SerializationError (`ERR_X_REMOTE_NOT_SERIALIZABLE`: a value that cannot travel),
 * NotInContextError (`ERR_X_REMOTE_NOT_IN_CONTEXT`), InvalidArgumentError (`ERR_X_INVALID_ARG`).
 */
export {
  CallTimeoutError,
  ChannelError,
  ConnectError,
  InvalidArgumentError,
  NoSuchExportError,
  NotInContextError,
  RemoteError,
  SerializationError,
} from './errors.js';
export type { ChannelErrorReason } from './errors.js';
export {
  AuthenticationError,
  ConnectTimeoutError,
  ConnectionRefusedError,
  ConnectionResetError,
  EofError,
  HostKeyError,
  NodeNotFoundError,
  PasswordError,
} from './connect/connect-errors.js';
export type { DockerOptions, HostKeyPolicy, KubectlOptions, MethodOptions, SshMultiplex, SshOptions, SudoOptions, SuOptions } from './connect/methods.js';
/** Makes an ssh `multiplex.directory` (mode 0700) when missing and checks it is private; throws InvalidArgumentError saying what is wrong. */
export { checkMultiplexDirectory } from './connect/methods.js';

/**
 * A message from a context refused before decoding (`ERR_X_REMOTE_BAD_PAYLOAD`, with `reason` 'depth',
 * 'length' or 'format' and the sending `context`): decoding never costs more than a message's bytes.
 */
export { PayloadError } from './wire/payload-error.js';
export type { PayloadErrorReason } from './wire/payload-error.js';

/**
 * A module of a call's graph that cannot travel: `ERR_X_REMOTE_MODULE_NOT_FOUND` (a missing file or package,
 * naming the importer), `ERR_X_REMOTE_MODULE_SYNTAX` (with `file`, `line`, `column`), `ERR_X_REMOTE_NATIVE_ADDON`
 * (naming the importing module and the addon). ModuleRecord and ModuleGraph are the code as it travels.
 */
export { ModuleError } from './modules/module-server.js';
export type { ModuleErrorCode, ModuleGraph, ModuleRecord } from './modules/module-server.js';

const RUNTIME = Symbol.for('@x/remote.runtime');

interface Runtime {
  parentContext: () => Context;
  currentContext: () => Context;
}

function runtime(what: string): Runtime {
  const found = (globalThis as Record<symbol, Runtime | undefined>)[RUNTIME];
  if (found === undefined) throw new NotInContextError(what);
  return found;
}

/**
 * Inside a function running in a context: the context that started this one, so the function can call
 * the services its parent exposed (`parentContext().service(name)`); a context never runs its parent's code.
 * @throws `ERR_X_REMOTE_NOT_IN_CONTEXT` outside a context.
 * @example
 * import { parentContext } from '@x/remote';
 * export async function work() { return parentContext().service<{ lookup(key: string): string }>('inventory').lookup('key'); }
 */
export function parentContext(): Context {
  return runtime('parentContext').parentContext();
}

/**
 * Inside a function running in a context: this context (its `name` and `id`).
 * @throws `ERR_X_REMOTE_NOT_IN_CONTEXT` outside a context.
 */
export function currentContext(): Context {
  return runtime('currentContext').currentContext();
}
