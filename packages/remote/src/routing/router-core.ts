import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatWithOptions } from 'node:util';
import { type Payload, type Tagged, TAG, decodePayload, encodePayload, payloadLength } from '../wire/codec.js';
import { Context, type CallOptions } from '../calls/context.js';
import { CallTimeoutError, ChannelError, type ChannelErrorReason, InvalidArgumentError, NoSuchExportError } from '../errors.js';
import { ENCODING_DEAD, ENCODING_RAW, ENCODING_V8, ENCODING_V8_SEGMENTS, type Frame } from '../wire/frame.js';
import { type WireLog, decodeLog, encodeLog } from '../wire/log-wire.js';
import {
  ADD_ROUTE, BOOTSTRAP, type BootstrapConfig, CALL_FUNCTION, CALL_SERVICE, DEL_ROUTE, FIRST_DYNAMIC, FORWARD_LOG, LOG_LEVELS, type LogLevel, ROOT_ID, SHUTDOWN,
} from './handles.js';
import { deadError } from './dead-error.js';
import { type MessageKind, permits } from './authority.js';
import { Receiver, Sender, encodeState } from '../calls/receiver.js';
import { type ExposeOptions, type ServiceHandlers, Services } from '../calls/services.js';
import { BACKED_UP, Stream } from '../wire/stream.js';
import type { FileOperations } from '../files/files.js';

/** Bytes waiting toward the parent past which a context drops log records (counting them) instead of queueing more. */
const LOG_DROP_AT = 2 * BACKED_UP;

/** One line of output from a context. */
export interface LogRecord {
  /** The context that wrote it. */
  context: Context;
  /** Where it was written: `console.*`, or the context's fd 1 / fd 2 (anything its children wrote too). */
  stream: 'stdout' | 'stderr' | 'console';
  level: Exclude<LogLevel, 'silent'>;
  /** The text, without the trailing newline. */
  text: string;
  /** When it was written, in milliseconds since the epoch (`performance.timeOrigin + performance.now()`). */
  time: number;
}

/** What a handler does with a frame addressed to it. */
export interface Handler {
  fn: (frame: Frame, from: Stream | undefined) => void;
  /** The kind of message it takes: its row in the authority table says who may send it (authority.ts). */
  kind: MessageKind;
  /** For kinds whose row is `peers`: the contexts that may send to it. */
  peers?: ReadonlySet<number> | number;
  /** The context whose disconnection ends this handler with a dead message. */
  respondent?: number;
  /** Whether it stays after its first frame. */
  persist: boolean;
}

export interface RouterCoreSettings {
  id: number;
  parentIds: readonly number[];
  name: string;
  maxMessageSize: number;
  logLevel: LogLevel;
  callTimeoutMs: number | undefined;
}

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

/**
 * The routing core shared by the parent (`Router`) and every context: streams to neighbours, routes by
 * context id, handles, dead messages, calls, receivers and log forwarding. The same code runs on both
 * sides so that a context can start contexts of its own.
 */
export class RouterCore {
  readonly id: number;
  readonly parentIds: readonly number[];
  readonly name: string;
  readonly maxMessageSize: number;
  readonly logLevel: LogLevel;
  readonly callTimeoutMs: number | undefined;
  /** Set once the router is closing: new calls fail with a 'shutdown' ChannelError. */
  closing = false;
  #parentStream: Stream | undefined;
  readonly #routes = new Map<number, Stream>();
  readonly #handlers = new Map<number, Handler>();
  readonly #byRespondent = new Map<number, Set<number>>();
  readonly #contexts = new Map<number, Context>();
  readonly #services = new Services();
  #nextHandle = FIRST_DYNAMIC;

  constructor(settings: RouterCoreSettings) {
    this.id = settings.id;
    this.parentIds = settings.parentIds;
    this.name = settings.name;
    this.maxMessageSize = settings.maxMessageSize;
    this.logLevel = settings.logLevel;
    this.callTimeoutMs = settings.callTimeoutMs;
    this.addHandler(CALL_FUNCTION, { kind: 'call', persist: true, fn: (frame) => this.#onCall(frame) });
    this.addHandler(CALL_SERVICE, { kind: 'service-call', persist: true, fn: (frame) => this.#onServiceCall(frame) });
    this.addHandler(FORWARD_LOG, { kind: 'forward-log', persist: true, fn: (frame, from) => this.#onForwardLog(frame, from) });
    this.addHandler(DEL_ROUTE, { kind: 'del-route', persist: true, fn: (frame, from) => this.#onDelRoute(frame, from) });
    this.addHandler(ADD_ROUTE, { kind: 'add-route', persist: true, fn: (frame) => this.#onAddRoute(frame) });
  }

  // ---- streams and routes ----

  /** Wraps `socket` as the stream to the context `remoteId` and routes that id through it. */
  attachStream(socket: Socket, remoteId: number): Stream {
    const stream = new Stream(socket, remoteId, this.maxMessageSize, (frame, from) => this.receive(frame, from), (closed, reason) => this.#onStreamClosed(closed, reason));
    this.#routes.set(remoteId, stream);
    return stream;
  }

  /** The stream a message for `id` leaves on: its route, else the parent (ids this router does not know live above it). */
  routeFor(id: number): Stream | undefined {
    if (id === this.id) return undefined;
    return this.#routes.get(id) ?? this.#parentStream;
  }

  /** The stream to this router's parent (undefined at the root). */
  get parentStream(): Stream | undefined {
    return this.#parentStream;
  }

  /**
   * Routes `id`, a new descendant, through the stream that `via` (a descendant already routed below
   * this router) is reached on. Nothing that would change how this router reaches itself or its
   * ancestors is accepted, and an id already routed keeps its route.
   * @returns whether the route was added.
   */
  addRoute(id: number, via: number): boolean {
    const stream = this.#routes.get(via);
    if (stream === undefined || !Number.isInteger(id) || id <= 0 || id === this.id || this.parentIds.includes(id) || this.#routes.has(id)) return false;
    this.#routes.set(id, stream);
    return true;
  }

  /** A frame arrived on `from`: drop it unless its src and auth are reached through that stream (reverse-path filter). */
  receive(frame: Frame, from: Stream): void {
    if (frame.auth === this.id || this.routeFor(frame.auth) !== from) return;
    if (frame.src !== frame.auth && this.routeFor(frame.src) !== from) return;
    this.#route(frame, from);
  }

  #route(frame: Frame, from: Stream | undefined): void {
    if (frame.dst === this.id) {
      this.#deliver(frame, from);
      return;
    }
    const stream = this.routeFor(frame.dst);
    if (stream === from) return;
    if (stream === undefined || !stream.forward(frame, from)) {
      this.sendDead(frame, stream === undefined ? 'no-route' : 'disconnected', `no route to context ${frame.dst} from ${this.name}`);
    }
  }

  #deliver(frame: Frame, from: Stream | undefined): void {
    const handler = this.#handlers.get(frame.handle);
    if (handler === undefined) {
      this.sendDead(frame, 'closed', `no handler ${frame.handle} in ${this.name} (the receiver was closed or the call already ended)`);
      return;
    }
    if (!permits(handler.kind, handler.peers, frame, from, this)) {
      this.sendDead(frame, 'refused', `refused by policy in ${this.name}: context ${frame.auth} has no authority for handle ${frame.handle}`);
      return;
    }
    if (!handler.persist) this.removeHandler(frame.handle);
    try {
      handler.fn(frame, from);
    } catch (error) {
      // A malformed payload is the sender's error, not a reason for this context to die.
      if (frame.encoding !== ENCODING_DEAD) this.reply(frame, false, error);
    }
  }

  #onStreamClosed(stream: Stream, reason: string): void {
    const lost: number[] = [];
    for (const [id, routed] of this.#routes) {
      if (routed === stream) lost.push(id);
    }
    for (const id of lost) this.#routes.delete(id);
    if (stream === this.#parentStream) {
      this.onParentLost(reason);
      return;
    }
    for (const id of lost) this.disconnect(id, `${reason}`);
    this.#tellParent(lost);
  }

  /** Tells the parent that `ids` (descendants routed through this context) are gone; each hop passes it up. */
  #tellParent(ids: number[]): void {
    if (this.#parentStream === undefined || ids.length === 0) return;
    try {
      this.send(this.parentIds[0]!, DEL_ROUTE, 0, ids);
    } catch {
      // The parent is gone too.
    }
  }

  /** Makes `stream` the way to the parent and every context this router does not know. */
  setParentStream(stream: Stream): void {
    this.#parentStream = stream;
  }

  /** The stream to the parent ended. A context ends itself here; the root has no parent. */
  protected onParentLost(_reason: string): void {}

  /** An ancestor (in practice the root, which assigns ids) routes a new context below `via` through us. */
  #onAddRoute(frame: Frame): void {
    const route = this.decode(frame);
    if (!Array.isArray(route) || typeof route[0] !== 'number' || typeof route[1] !== 'number') return;
    this.addRoute(route[0], route[1]);
  }

  #onDelRoute(frame: Frame, from: Stream | undefined): void {
    const ids = this.decode(frame);
    if (!Array.isArray(ids) || from === undefined) return;
    const gone: number[] = [];
    for (const id of ids) {
      if (typeof id === 'number' && this.#routes.get(id) === from && id !== from.remoteId) {
        this.#routes.delete(id);
        gone.push(id);
        this.disconnect(id, 'its parent context lost it');
      }
    }
    this.#tellParent(gone);
  }

  /** Ends everything waiting on context `id`: its pending calls and receivers get a dead 'disconnected'. */
  disconnect(id: number, reason: string): void {
    const context = this.#contexts.get(id);
    const error = new ChannelError('disconnected', `Context ${context?.name ?? id} disconnected: ${reason}.`);
    const handles = this.#byRespondent.get(id);
    if (handles !== undefined) {
      this.#byRespondent.delete(id);
      for (const handle of handles) {
        const handler = this.#handlers.get(handle);
        this.#handlers.delete(handle);
        handler?.fn(deadFrame(this.id, id, handle, error), undefined);
      }
    }
    context?.markDisconnected(error);
  }

  // ---- handles ----

  addHandler(handle: number, handler: Handler): void {
    this.#handlers.set(handle, handler);
    if (handler.respondent !== undefined) {
      let set = this.#byRespondent.get(handler.respondent);
      if (set === undefined) this.#byRespondent.set(handler.respondent, (set = new Set()));
      set.add(handle);
    }
  }

  /** Registers `handler` on a new dynamic handle. */
  allocate(handler: Handler): number {
    const handle = this.#nextHandle++;
    if (this.#nextHandle > 0xffff_fff0) this.#nextHandle = FIRST_DYNAMIC;
    this.addHandler(handle, handler);
    return handle;
  }

  /** Sends `value` to `dst:handle` and resolves with the reply (`[1, value]`) or rejects with its error or dead reason. */
  request(dst: number, handle: number, value: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const replyTo = this.allocate({
        kind: 'reply',
        peers: dst,
        persist: false,
        respondent: dst,
        fn: (frame) => this.#settle(frame, resolve, reject),
      });
      try {
        this.send(dst, handle, replyTo, value);
      } catch (error) {
        this.removeHandler(replyTo);
        reject(error);
      }
    });
  }

  /** Forgets the route to `id` (a start through `via` failed). */
  deleteRoute(id: number): void {
    this.#routes.delete(id);
  }

  removeHandler(handle: number): void {
    const handler = this.#handlers.get(handle);
    if (handler === undefined) return;
    this.#handlers.delete(handle);
    if (handler.respondent !== undefined) this.#byRespondent.get(handler.respondent)?.delete(handle);
  }

  /** Makes the handler on `handle` also end when context `id` disconnects. */
  addRespondent(handle: number, id: number): void {
    if (!this.#handlers.has(handle) || id === this.id) return;
    let set = this.#byRespondent.get(id);
    if (set === undefined) this.#byRespondent.set(id, (set = new Set()));
    set.add(handle);
  }

  /** Ends every handler with a dead 'shutdown' (the router is closing). */
  protected failAllHandlers(message: string): void {
    const error = new ChannelError('shutdown', message);
    for (const [handle, handler] of [...this.#handlers]) {
      if (handle < FIRST_DYNAMIC) continue;
      this.#handlers.delete(handle);
      handler.fn(deadFrame(this.id, this.id, handle, error), undefined);
    }
    this.#byRespondent.clear();
  }

  // ---- sending ----

  /**
   * Sends `value` to `dst:handle`; a reply goes to `replyTo`.
   * @throws ChannelError 'too-large' when the encoded message exceeds maxMessageSize, 'no-route' or
   *   'disconnected' when it cannot leave; DataCloneError for a value the v8 serializer refuses.
   */
  /** Sends a starting context its bootstrap: its id and name, the ids above it, and the limits it inherits. */
  sendBootstrap(id: number, name: string, readyHandle: number): void {
    const config: BootstrapConfig = {
      id,
      parentIds: [this.id, ...this.parentIds],
      name,
      maxMessageSize: this.maxMessageSize,
      logLevel: this.logLevel,
      readyHandle,
    };
    this.send(id, BOOTSTRAP, readyHandle, config);
  }

  send(dst: number, handle: number, replyTo: number, value: unknown): void {
    encodeState.destination = dst;
    let payload: Payload;
    try {
      payload = encodePayload(value);
    } finally {
      encodeState.destination = -1;
    }
    this.sendPayload(dst, handle, replyTo, Array.isArray(payload) ? ENCODING_V8_SEGMENTS : ENCODING_V8, payload);
  }

  sendPayload(dst: number, handle: number, replyTo: number, encoding: number, payload: Payload): void {
    const length = payloadLength(payload);
    if (length > this.maxMessageSize) {
      throw new ChannelError('too-large', `A message of ${length} bytes exceeds maxMessageSize (${this.maxMessageSize} bytes); send less per message or raise maxMessageSize.`);
    }
    if (dst === this.id) {
      const frame: Frame = { encoding, dst, src: this.id, auth: this.id, handle, replyTo, payload: Array.isArray(payload) ? Buffer.concat(payload) : payload };
      queueMicrotask(() => this.#deliver(frame, undefined));
      return;
    }
    const stream = this.routeFor(dst);
    if (stream === undefined) {
      const gone = this.#contexts.get(dst);
      if (gone?.isDisconnected) throw new ChannelError('disconnected', `Context ${gone.name} is disconnected.`);
      throw new ChannelError('no-route', `No route from ${this.name} to context ${dst}: it was never started from here.`);
    }
    if (!stream.write({ encoding, dst, src: this.id, auth: this.id, handle, replyTo }, payload, length)) throw new ChannelError('disconnected', `Context ${this.#contexts.get(dst)?.name ?? dst} is disconnected.`);
  }

  /** Answers `frame` with a dead message, unless it expects no reply or is itself dead. */
  sendDead(frame: Frame, reason: ChannelErrorReason, message: string): void {
    if (frame.replyTo === 0 || frame.encoding === ENCODING_DEAD) return;
    try {
      this.sendPayload(frame.src, frame.replyTo, 0, ENCODING_DEAD, Buffer.from(`${reason}\n${message}`));
    } catch {
      // The sender is unreachable too: nobody is left to tell.
    }
  }

  /** Decodes a frame's payload; Contexts and Senders inside come back bound to this router. */
  decode(frame: Frame): unknown {
    return decodePayload(frame.payload, this.#revive, this.contextName(frame.src), frame.encoding === ENCODING_V8_SEGMENTS);
  }

  readonly #revive = (tagged: Tagged): unknown => {
    const id = tagged['id'];
    if (typeof id !== 'number') return tagged;
    if (tagged[TAG] === 'c') return this.contextFor(id, typeof tagged['name'] === 'string' ? tagged['name'] : String(id));
    if (tagged[TAG] === 's' && typeof tagged['handle'] === 'number') return new Sender(this, id, tagged['handle']);
    return tagged;
  };

  contextName(id: number): string {
    return this.#contexts.get(id)?.name ?? (id === this.id ? this.name : `context ${id}`);
  }

  /** The one Context object for `id` in this process. */
  contextFor(id: number, name: string): Context {
    let context = this.#contexts.get(id);
    if (context === undefined) {
      context = new Context(this, id, name);
      this.#contexts.set(id, context);
    }
    return context;
  }

  forgetContext(id: number): void {
    this.#contexts.delete(id);
  }

  get contexts(): Context[] {
    return [...this.#contexts.values()];
  }

  // ---- calls ----

  /**
   * Turns a module URL into what the call message carries. The root ships code; a context has nothing
   * to ship and no authority over its parent, so it can only call services (`callService`).
   */
  protected prepareCall(context: Context, target: string | URL): PreparedCall | Promise<PreparedCall> {
    moduleHref(target);
    throw new ChannelError('refused', `${this.name} cannot call modules in ${context.name}: code runs only on an ancestor's request. Have the parent expose a service (router.expose(name, handlers, { policy })) and call it with parentContext().service(name).`);
  }

  /** Starts a call and returns its result; `noReply` sends it with no reply handle. */
  call(context: Context, target: string | URL, exportName: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    if (typeof exportName !== 'string' || exportName === '') {
      return Promise.reject(new InvalidArgumentError('exportName', 'the name of a function the module exports', exportName));
    }
    if (this.closing) return Promise.reject(new ChannelError('shutdown', `The router is closed; ${context.name} can no longer be called.`));
    let prepared: PreparedCall | Promise<PreparedCall>;
    try {
      prepared = this.prepareCall(context, target);
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
    if (this.closing) return Promise.reject(new ChannelError('shutdown', `The router is closed; ${context.name} can no longer be called.`));
    return this.#start(context, { kind: 's', target: name, modules: null }, method, args, options, noReply);
  }

  /**
   * Lets contexts below this router call `handlers` as the service `name`; `policy` says which ones.
   * Nothing else in this process can be called from below.
   * @returns a function that withdraws the service.
   * @throws ERR_X_INVALID_ARG for a bad name, handlers or policy, or a name already exposed.
   */
  expose(name: string, handlers: ServiceHandlers, options: ExposeOptions): () => void {
    return this.#services.expose(name, handlers, options);
  }

  #start(context: Context, prepared: PreparedCall, exportName: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    if (this.closing) return Promise.reject(new ChannelError('shutdown', `The router was closed before the call to ${context.name} could be sent.`));
    const message: CallMessage = [prepared.kind, prepared.target, prepared.modules, exportName, args];
    const handleAt = prepared.kind === 's' ? CALL_SERVICE : CALL_FUNCTION;
    if (noReply) {
      try {
        this.send(context.id, handleAt, 0, message);
      } catch (error) {
        return Promise.reject(error);
      }
      prepared.sent?.();
      return Promise.resolve(undefined);
    }
    const what = `${context.name}: ${exportName}() of ${prepared.target}`;
    const timeoutMs = options.timeoutMs ?? this.callTimeoutMs;
    const signal = options.signal;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const handle = this.allocate({
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
        this.send(context.id, handleAt, handle, message);
      } catch (error) {
        this.removeHandler(handle);
        reject(error);
        return;
      }
      prepared.sent?.();
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.removeHandler(handle);
          if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
          reject(new CallTimeoutError(what, timeoutMs));
        }, timeoutMs);
      }
      if (signal !== undefined) {
        onAbort = () => {
          this.removeHandler(handle);
          if (timer !== undefined) clearTimeout(timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  #settle(frame: Frame, resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
    if (frame.encoding === ENCODING_DEAD) {
      reject(deadError(frame));
      return;
    }
    let reply: [number, unknown];
    try {
      reply = this.decode(frame) as [number, unknown];
    } catch (error) {
      reject(error);
      return;
    }
    if (reply[0] === 1) resolve(reply[1]);
    else reject(reply[1]);
  }

  /** Loads the module a CALL names (kind 'm': records from an ancestor). Contexts implement it. */
  protected loadShippedModule(_target: string, _modules: unknown[] | null): Record<string, unknown> | Promise<Record<string, unknown>> {
    throw new ChannelError('refused', `${this.name} does not load shipped modules.`);
  }

  /** A call from an ancestor (the authority table let nothing else through): a module it shipped. */
  #onCall(frame: Frame): void {
    const message = this.#callMessage(frame);
    if (message === undefined) return;
    const [kind, target, modules, exportName, args] = message;
    if (kind !== 'm') {
      this.sendDead(frame, 'refused', `a call of kind ${String(kind)} reached ${this.name} on the module call handle`);
      return;
    }
    let loaded: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      loaded = this.loadShippedModule(target, modules);
    } catch (error) {
      this.reply(frame, false, error);
      return;
    }
    if (loaded instanceof Promise) {
      loaded.then(
        (namespace) => this.#invoke(frame, namespace, target, exportName, args),
        (error: unknown) => this.reply(frame, false, error),
      );
    } else {
      this.#invoke(frame, loaded, target, exportName, args);
    }
  }

  /** A call from below into an exposed service: the service's policy decides, then its handler runs. */
  #onServiceCall(frame: Frame): void {
    const message = this.#callMessage(frame);
    if (message === undefined) return;
    const [kind, name, , method, args] = message;
    const caller = this.contextFor(frame.src, this.contextName(frame.src));
    const found = kind === 's' ? this.#services.find(name, method, caller) : { refused: `a call of kind ${String(kind)} reached the service handle` };
    if ('refused' in found) {
      this.sendDead(frame, 'refused', `refused by policy in ${this.name}: ${found.refused}`);
      return;
    }
    this.#invoke(frame, found.handlers, `service ${name}`, method, args);
  }

  /** The decoded call message, or undefined when it was malformed (the sender got an answer saying so). */
  #callMessage(frame: Frame): CallMessage | undefined {
    let message: CallMessage;
    try {
      message = this.decode(frame) as CallMessage;
    } catch (error) {
      this.reply(frame, false, error);
      return undefined;
    }
    if (!Array.isArray(message) || message.length !== 5 || typeof message[1] !== 'string' || typeof message[3] !== 'string' || !Array.isArray(message[4])) {
      this.sendDead(frame, 'refused', `a malformed call message reached ${this.name}`);
      return undefined;
    }
    return message;
  }

  #invoke(frame: Frame, namespace: Record<string, unknown>, target: string, exportName: string, args: unknown[]): void {
    let result: unknown;
    try {
      const fn = namespace[exportName];
      if (typeof fn !== 'function') throw new NoSuchExportError(target, exportName, fn);
      result = (fn as (...args: unknown[]) => unknown)(...args);
    } catch (error) {
      this.reply(frame, false, error);
      return;
    }
    if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function')) {
      (result as PromiseLike<unknown>).then(
        (value) => this.reply(frame, true, value),
        (error: unknown) => this.reply(frame, false, error),
      );
    } else {
      this.reply(frame, true, result);
    }
  }

  /** Answers a call. An answer that cannot be encoded becomes an error answer; one too large, a dead 'too-large'. */
  reply(frame: Frame, ok: boolean, value: unknown): void {
    if (frame.replyTo === 0) {
      if (!ok) this.emitLog({ contextId: this.id, stream: 'console', level: 'error', text: `a call with no reply failed: ${formatWithOptions({ colors: false }, '%O', value)}` });
      return;
    }
    let payload: Payload;
    encodeState.destination = frame.src;
    try {
      payload = encodePayload(ok ? [1, value] : [0, value]);
    } catch (error) {
      payload = encodePayload([0, error]);
    } finally {
      encodeState.destination = -1;
    }
    const length = payloadLength(payload);
    if (length > this.maxMessageSize) {
      this.sendDead(frame, 'too-large', `the answer from ${this.name} (${length} bytes) exceeds maxMessageSize (${this.maxMessageSize} bytes)`);
      return;
    }
    try {
      this.sendPayload(frame.src, frame.replyTo, 0, Array.isArray(payload) ? ENCODING_V8_SEGMENTS : ENCODING_V8, payload);
    } catch {
      // The caller is gone: its own side already failed the call.
    }
  }

  /** Context file methods: only the root moves files (Router). */
  files(): FileOperations {
    throw new ChannelError('refused', `File transfers start at the root router, not in ${this.name}.`);
  }

  // ---- receivers ----

  /** A new Receiver whose `sender` can be passed to a context as an argument. */
  receiver<T = unknown>(): Receiver<T> {
    return new Receiver<T>(this);
  }

  // ---- logs ----

  /** Log records a context dropped since it last said so (its parent stream was backed up past LOG_DROP_AT). */
  #droppedLogs = 0;
  /** Whether a "records dropped" notice waits for the parent stream to drain. */
  #dropNoticeDue = false;

  /**
   * Hands a log record to the root (contexts) or to the listeners (the root). A context whose stream
   * to its parent holds LOG_DROP_AT bytes already drops the record and counts it (a console.log in a
   * tight loop cannot be made to wait), then says how many it dropped once the stream drains; pass
   * `droppable: false` from a producer that pauses on `logsWait()` instead, so nothing it read is lost.
   */
  emitLog(record: { contextId: number; stream: LogRecord['stream']; level: LogRecord['level']; text: string; time?: number }, droppable = true): void {
    const time = record.time ?? performance.timeOrigin + performance.now();
    if (this.id === ROOT_ID) {
      this.deliverLog({ context: this.contextFor(record.contextId, this.contextName(record.contextId)), stream: record.stream, level: record.level, text: record.text, time });
      return;
    }
    const stream = this.parentStream;
    if (droppable && stream !== undefined && stream.queued >= LOG_DROP_AT) {
      this.#droppedLogs++;
      if (!this.#dropNoticeDue) {
        this.#dropNoticeDue = true;
        void stream.drained().then(() => this.#reportDroppedLogs());
      }
      return;
    }
    if (this.#droppedLogs > 0) this.#reportDroppedLogs();
    stream?.batchWrites();
    this.#forwardLog({ contextId: record.contextId, stream: record.stream, level: record.level, text: record.text, time });
  }

  /**
   * A promise to wait on before reading more output to turn into log records, or undefined while
   * records flow: the relays of fds 1 and 2 pause on it, so a flooding writer is slowed, not dropped.
   */
  logsWait(): Promise<void> | undefined {
    const stream = this.parentStream;
    return stream?.backedUp === true ? stream.drained() : undefined;
  }

  #reportDroppedLogs(): void {
    this.#dropNoticeDue = false;
    const count = this.#droppedLogs;
    if (count === 0) return;
    this.#droppedLogs = 0;
    const text = `${count} log record${count === 1 ? '' : 's'} dropped: ${this.name} wrote them faster than its parent could take them`;
    this.#forwardLog({ contextId: this.id, stream: 'console', level: 'warn', text, time: performance.timeOrigin + performance.now() });
  }

  #forwardLog(record: WireLog): void {
    try {
      this.sendPayload(ROOT_ID, FORWARD_LOG, 0, ENCODING_RAW, encodeLog(record));
    } catch {
      // No way up, or a record over maxMessageSize: the context is ending, or the text cannot travel.
    }
  }

  /** The root's log listeners; contexts forward instead. */
  protected deliverLog(_record: LogRecord): void {}

  #onForwardLog(frame: Frame, from: Stream | undefined): void {
    if (frame.encoding !== ENCODING_RAW) return;
    const record = decodeLog(frame.payload);
    // A record speaks for its sender or for a context below it, never for one elsewhere.
    if (record === undefined || (record.contextId !== frame.src && this.routeFor(record.contextId) !== from)) return;
    this.emitLog(record);
  }

  /** Whether console output at `level` is shipped at all. */
  logs(level: LogRecord['level']): boolean {
    return LOG_LEVELS[level] >= LOG_LEVELS[this.logLevel];
  }

  // ---- shutdown ----

  /** Sends SHUTDOWN to a context (it runs its cleanup, then exits). */
  requestShutdown(context: Context): void {
    try {
      this.send(context.id, SHUTDOWN, 0, null);
    } catch {
      // Already gone.
    }
  }
}

function deadFrame(dst: number, src: number, handle: number, error: ChannelError): Frame {
  return { encoding: ENCODING_DEAD, dst, src, auth: src, handle, replyTo: 0, payload: Buffer.from(`${error.reason}\n${error.message}`) };
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

/** What starting a context's first process gives back: its pid, how to kill it, and (where this process
 * is its parent) when it has exited. */
export interface StartedContext {
  pid: number;
  kill: () => void;
  exited?: Promise<void>;
}
