// The calling side of calls: a call message out, a one-shot reply handle for its answer, the timeout
// and abort signal around it. The answering side is call-server.ts.
import { CallTimeoutError, ChannelError, InvalidArgumentError } from '../errors.js';
import { CALL_FUNCTION, CALL_SERVICE } from '../routing/handles.js';
import { deadError } from '../routing/dead-error.js';
import { encodeCompact } from '../wire/compact.js';
import { ENCODING_DEAD, ENCODING_V8, type Frame } from '../wire/frame.js';
import type { CallHost } from './call-host.js';
import type { CallOptions, Context } from './context.js';

/**
 * The call message: kind 'm' names a module by the key of its shipped records (which it may carry), kind
 * 's' names a service its receiver exposed, and `exportName` the function of either.
 */
export type CallMessage = [kind: 'm' | 's', target: string, modules: unknown[] | null, exportName: string, args: unknown[]];

/** A module the router is asked to call, ready to go on the wire. */
export interface PreparedCall {
  kind: 'm' | 's';
  target: string;
  modules: unknown[] | null;
  /** Called once the message carrying `modules` was handed to the stream. */
  sent?: () => void;
}

/** What the call client asks of its router besides the CallHost: whether it closes, and its default timeout. */
export interface CallClientHost extends CallHost {
  readonly closing: boolean;
  readonly callTimeoutMs: number | undefined;
}

/** Turns a module URL into what the call message carries (the root ships code; see Router). */
export type PrepareCall = (context: Context, target: string | URL) => PreparedCall | Promise<PreparedCall>;

/** Starts calls and requests from this router and settles them with their answers. */
export class CallClient {
  readonly #host: CallClientHost;
  readonly #prepare: PrepareCall;

  constructor(host: CallClientHost, prepare: PrepareCall) {
    this.#host = host;
    this.#prepare = prepare;
  }

  /** Starts a call and returns its result; `noReply` sends it with no reply handle. */
  call(context: Context, target: string | URL, exportName: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    if (typeof exportName !== 'string' || exportName === '') {
      return Promise.reject(new InvalidArgumentError('exportName', 'the name of a function the module exports', exportName));
    }
    if (this.#host.closing) return Promise.reject(new ChannelError('shutdown', `The router is closed; ${context.name} can no longer be called.`));
    let prepared: PreparedCall | Promise<PreparedCall>;
    try {
      prepared = this.#prepare(context, target);
    } catch (error) {
      return Promise.reject(error);
    }
    if (prepared instanceof Promise) return prepared.then((ready) => this.#start(context, ready, exportName, args, options, noReply));
    return this.#start(context, prepared, exportName, args, options, noReply);
  }

  /** Calls `method` of the service `name` that `context` exposed (see `expose`). */
  callService(context: Context, name: string, method: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    if (typeof name !== 'string' || name === '') return Promise.reject(new InvalidArgumentError('name', 'the name of an exposed service', name));
    if (typeof method !== 'string' || method === '') return Promise.reject(new InvalidArgumentError('method', 'the name of a function of the service', method));
    if (this.#host.closing) return Promise.reject(new ChannelError('shutdown', `The router is closed; ${context.name} can no longer be called.`));
    return this.#start(context, { kind: 's', target: name, modules: null }, method, args, options, noReply);
  }

  /** Sends `value` to `dst:handle` and resolves with the reply (`[1, value]`) or rejects with its error or dead reason. */
  request(dst: number, handle: number, value: unknown): Promise<unknown> {
    const host = this.#host;
    return new Promise((resolve, reject) => {
      const replyTo = host.allocate({
        kind: 'reply',
        peers: dst,
        persist: false,
        respondent: dst,
        fn: (frame) => this.#settle(frame, resolve, reject),
      });
      try {
        host.send(dst, handle, replyTo, value);
      } catch (error) {
        host.removeHandler(replyTo);
        reject(error);
      }
    });
  }

  #start(context: Context, prepared: PreparedCall, exportName: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    const host = this.#host;
    if (host.closing) return Promise.reject(new ChannelError('shutdown', `The router was closed before the call to ${context.name} could be sent.`));
    const message: CallMessage = [prepared.kind, prepared.target, prepared.modules, exportName, args];
    const handleAt = prepared.kind === 's' ? CALL_SERVICE : CALL_FUNCTION;
    if (noReply) {
      try {
        this.#send(context.id, handleAt, 0, message);
      } catch (error) {
        return Promise.reject(error);
      }
      prepared.sent?.();
      return Promise.resolve(undefined);
    }
    const timeoutMs = options.timeoutMs ?? host.callTimeoutMs;
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const handle = host.allocate({
        kind: 'reply',
        peers: context.id,
        persist: false,
        respondent: context.id,
        fn: (frame) => {
          if (timer !== undefined) clearTimeout(timer);
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          this.#settle(frame, resolve, reject);
        },
      });
      try {
        this.#send(context.id, handleAt, handle, message);
      } catch (error) {
        host.removeHandler(handle);
        reject(error);
        return;
      }
      prepared.sent?.();
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          host.removeHandler(handle);
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          reject(new CallTimeoutError(`${context.name}: ${exportName}() of ${prepared.target}`, timeoutMs));
        }, timeoutMs);
      }
      if (signal !== undefined) {
        onAbort = () => {
          host.removeHandler(handle);
          if (timer !== undefined) clearTimeout(timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Sends a call message: compact when it holds only primitives (its `args` is a rest parameter, so plain). */
  #send(dst: number, handle: number, replyTo: number, message: CallMessage): void {
    const compact = encodeCompact(message);
    if (compact === undefined) this.#host.send(dst, handle, replyTo, message);
    else this.#host.sendPayload(dst, handle, replyTo, ENCODING_V8, compact);
  }

  #settle(frame: Frame, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
    if (frame.encoding === ENCODING_DEAD) {
      reject(deadError(frame));
      return;
    }
    let reply: [number, unknown];
    try {
      reply = this.#host.decode(frame) as [number, unknown];
    } catch (error) {
      reject(error);
      return;
    }
    if (reply[0] === 1) resolve(reply[1]);
    else reject(reply[1]);
  }
}

/** A module URL as a file: href. @throws ERR_X_INVALID_ARG for anything but a file URL or an absolute path. */
export function moduleHref(target: string | URL): string {
  if (target instanceof URL) {
    if (target.protocol !== 'file:') throw new InvalidArgumentError('moduleUrl', 'a file: URL or an absolute path', target.href);
    return target.href;
  }
  if (typeof target === 'string') {
    if (target.startsWith('file:')) return new URL(target).href;
    if (target.startsWith('/')) return new URL(`file://${encodeURI(target).replace(/[?#]/g, encodeURIComponent)}`).href;
  }
  throw new InvalidArgumentError('moduleUrl', 'a file: URL or an absolute path', target);
}
