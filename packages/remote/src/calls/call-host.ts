// What the parts of the calls layer (Receiver, Sender, the call client and server, log forwarding) use of
// the router they run in. Declared here, implemented by RouterCore (router-core.ts), so that no part
// imports the class that wires them together.
import type { ChannelErrorReason } from '../errors.js';
import type { Handler } from '../routing/handler-table.js';
import type { Payload } from '../wire/codec.js';
import type { Frame } from '../wire/frame.js';
import type { Stream } from '../wire/stream.js';
import type { Context } from './context.js';

export interface CallHost {
  readonly id: number;
  readonly name: string;
  readonly maxMessageSize: number;
  readonly parentStream: Stream | undefined;
  routeFor(id: number): Stream | undefined;
  addHandler(handle: number, handler: Handler): void;
  allocate(handler: Handler): number;
  removeHandler(handle: number): void;
  addRespondent(handle: number, id: number): void;
  send(dst: number, handle: number, replyTo: number, value: unknown): void;
  sendPayload(dst: number, handle: number, replyTo: number, encoding: number, payload: Payload): void;
  sendDead(frame: Frame, reason: ChannelErrorReason, message: string): void;
  /** Answers a call or request `frame`: `[1, value]`, or `[0, error]` when `ok` is false. */
  reply(frame: Frame, ok: boolean, value: unknown): void;
  /** Decodes a frame's payload; Contexts and Senders inside come back bound to this router. */
  decode(frame: Frame): unknown;
  contextName(id: number): string;
  /** The one Context object for `id` in this process. */
  contextFor(id: number, name: string): Context;
  /** Whether context `parent` started context `child` (the root knows; elsewhere nothing is known). */
  startedBy(child: number, parent: number): boolean;
}
