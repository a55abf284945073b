import type { Socket } from 'node:net';
import { ChannelError, type ChannelErrorReason } from '../errors.js';
import { type Payload, decodePayload, encodeFor, payloadLength } from '../wire/codec.js';
import { ENCODING_DEAD, ENCODING_V8, ENCODING_V8_SEGMENTS, type Frame } from '../wire/frame.js';
import { Stream } from '../wire/stream.js';
import { permits } from './authority.js';
import { deadFrame, deadPayload } from './dead-error.js';
import { type Handler, HandlerTable } from './handler-table.js';
import { ADD_ROUTE, DEL_ROUTE } from './handles.js';

/** What routing knows of a context: its name for messages, and how to tell it that it is gone. */
export interface KnownContext {
  readonly name: string;
  readonly isDisconnected: boolean;
  /** @internal (Context's own is internal: the published types must not require it) */
  markDisconnected(error: ChannelError): void;
}

export interface RoutingSettings {
  id: number;
  /** The ancestors, nearest first: these have parent authority over this router. */
  parentIds: readonly number[];
  name: string;
  maxMessageSize: number;
}

/**
 * How frames move, the same in the parent (`Router`) and in every context: streams to neighbours and
 * routes by context id, the reverse-path filter on what arrives, delivery through the authority table
 * (authority.ts) to the handler table, and dead messages for what cannot be delivered or was refused.
 * The layer above (calls/) registers the contexts it knows in `known` (type `C`) and handles errors
 * thrown by handlers (`onHandlerError`).
 */
export abstract class Routing<C extends KnownContext = KnownContext> {
  readonly id: number;
  readonly parentIds: readonly number[];
  readonly name: string;
  readonly maxMessageSize: number;
  /** The contexts this process holds an object for, by id; filled by the layer above. */
  protected readonly known = new Map<number, C>();
  #parentStream: Stream | undefined;
  readonly #routes = new Map<number, Stream>();
  readonly #handlers = new HandlerTable();

  constructor(settings: RoutingSettings) {
    this.id = settings.id;
    this.parentIds = settings.parentIds;
    this.name = settings.name;
    this.maxMessageSize = settings.maxMessageSize;
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

  /** Makes `stream` the way to the parent and every context this router does not know. */
  setParentStream(stream: Stream): void {
    this.#parentStream = stream;
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

  /** Forgets the route to `id` (a start through `via` failed). */
  deleteRoute(id: number): void {
    this.#routes.delete(id);
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
    if (!handler.persist) this.#handlers.remove(frame.handle);
    try {
      handler.fn(frame, from);
    } catch (error) {
      // A malformed payload is the sender's error, not a reason for this context to die.
      if (frame.encoding !== ENCODING_DEAD) this.onHandlerError(frame, error);
    }
  }

  /** A handler threw on `frame` (not a dead one): the calls layer answers the sender with the error. */
  protected abstract onHandlerError(frame: Frame, error: unknown): void;

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

  /** The stream to the parent ended. A context ends itself here; the root has no parent. */
  protected onParentLost(_reason: string): void {}

  /** An ancestor (in practice the root, which assigns ids) routes a new context below `via` through us. */
  #onAddRoute(frame: Frame): void {
    const route = this.#decodePlain(frame);
    if (!Array.isArray(route) || typeof route[0] !== 'number' || typeof route[1] !== 'number') return;
    this.addRoute(route[0], route[1]);
  }

  #onDelRoute(frame: Frame, from: Stream | undefined): void {
    const ids = this.#decodePlain(frame);
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

  /** Route messages carry numbers only: decoded without reviving anything. */
  #decodePlain(frame: Frame): unknown {
    return decodePayload(frame.payload, (tagged) => tagged, this.contextName(frame.src), frame.encoding === ENCODING_V8_SEGMENTS);
  }

  /** Ends everything waiting on context `id`: its pending calls and receivers get a dead 'disconnected'. */
  disconnect(id: number, reason: string): void {
    const context = this.known.get(id);
    const error = new ChannelError('disconnected', `Context ${context?.name ?? id} disconnected: ${reason}.`);
    this.#handlers.endRespondent(id, (handler, handle) => handler.fn(deadFrame(this.id, id, handle, error), undefined));
    context?.markDisconnected(error);
  }

  // ---- handles ----

  addHandler(handle: number, handler: Handler): void {
    this.#handlers.add(handle, handler);
  }

  /** Registers `handler` on a new dynamic handle. */
  allocate(handler: Handler): number {
    return this.#handlers.allocate(handler);
  }

  removeHandler(handle: number): void {
    this.#handlers.remove(handle);
  }

  /** Makes the handler on `handle` also end when context `id` disconnects. */
  addRespondent(handle: number, id: number): void {
    if (!this.#handlers.has(handle) || id === this.id) return;
    this.#handlers.addRespondent(handle, id);
  }

  /** Ends every dynamic handler with a dead 'shutdown' (the router is closing). */
  protected failAllHandlers(message: string): void {
    const error = new ChannelError('shutdown', message);
    for (const [handle, handler] of this.#handlers.takeDynamic()) handler.fn(deadFrame(this.id, this.id, handle, error), undefined);
  }

  // ---- sending ----

  /**
   * Sends `value` to `dst:handle`; a reply goes to `replyTo`.
   * @throws ChannelError 'too-large' when the encoded message exceeds maxMessageSize, 'no-route' or
   *   'disconnected' when it cannot leave; SerializationError for a value the v8 serializer refuses.
   */
  send(dst: number, handle: number, replyTo: number, value: unknown): void {
    const payload = encodeFor(dst, value);
    this.sendPayload(dst, handle, replyTo, Array.isArray(payload) ? ENCODING_V8_SEGMENTS : ENCODING_V8, payload);
  }

  /** Sends an encoded payload; throws as `send`. */
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
      const gone = this.known.get(dst);
      if (gone?.isDisconnected) throw new ChannelError('disconnected', `Context ${gone.name} is disconnected.`);
      throw new ChannelError('no-route', `No route from ${this.name} to context ${dst}: it was never started from here.`);
    }
    if (!stream.write({ encoding, dst, src: this.id, auth: this.id, handle, replyTo }, payload, length)) throw new ChannelError('disconnected', `Context ${this.known.get(dst)?.name ?? dst} is disconnected.`);
  }

  /** Answers `frame` with a dead message, unless it expects no reply or is itself dead. */
  sendDead(frame: Frame, reason: ChannelErrorReason, message: string): void {
    if (frame.replyTo === 0 || frame.encoding === ENCODING_DEAD) return;
    try {
      this.sendPayload(frame.src, frame.replyTo, 0, ENCODING_DEAD, deadPayload(reason, message));
    } catch {
      // The sender is unreachable too: nobody is left to tell.
    }
  }

  /** The name of context `id` for messages: its own, this router's, or `context <id>`. */
  contextName(id: number): string {
    return this.known.get(id)?.name ?? (id === this.id ? this.name : `context ${id}`);
  }
}
