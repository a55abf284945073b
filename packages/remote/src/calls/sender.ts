import { type Payload, TAG, type Tagged, encodeFor, encodeState, encodeTag, payloadLength } from '../wire/codec.js';
import { deadError, deadPayload } from '../routing/dead-error.js';
import { ChannelError } from '../errors.js';
import { ENCODING_DEAD, ENCODING_RAW, ENCODING_V8, ENCODING_V8_SEGMENTS, type Frame } from '../wire/frame.js';
import type { CallHost } from './call-host.js';

/**
 * Bytes a sender may have in flight: sent, and not yet taken out by the receiver's consumer. The
 * receiver grants more as its consumer reads (every quarter window). 2 MiB, the file transfers'
 * window, measured there as full speed both to a local context and over ssh.
 */
export const RECEIVER_WINDOW = 2 * 1024 * 1024;
/** What one value costs against the window besides its payload: the queued value's own overhead. */
export const VALUE_COST = 64;
/**
 * Bytes of values a sender's process holds for a producer that does not await `send()`, beyond what
 * the window lets out. A send past it throws ChannelError 'overflow' instead of growing memory.
 */
export const SENDER_QUEUE_LIMIT = 8 * 1024 * 1024;

const RESOLVED = Promise.resolve();
const noop = (): void => {};

/** A receiver, as its Sender sees it: told which context each encoded copy of the sender went to. */
export interface SenderOwner {
  /** @internal (Receiver's own is internal: the published types must not require it) */
  heldBy(id: number): void;
}

interface Queued {
  /** Undefined for the close marker. */
  payload: Payload | undefined;
  length: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The sending state of one receiver (context `dst`, handle `handle`) in this process, shared by every
 * Sender object that names it: the credit granted, the values waiting for it, and the handle where the
 * grants arrive (allocated on the first send and named as the reply handle of every value).
 */
class Outlet {
  readonly router: CallHost;
  readonly dst: number;
  readonly handle: number;
  readonly key: string;
  #grantHandle = 0;
  #sent = 0;
  #granted = RECEIVER_WINDOW;
  #queued: Queued[] = [];
  #queuedBytes = 0;
  #pumping = false;
  #wake: (() => void) | undefined;
  /** Set once the channel ended (closed here, refused or closed by the receiver, disconnected). */
  error: ChannelError | undefined;

  constructor(router: CallHost, dst: number, handle: number, key: string) {
    this.router = router;
    this.dst = dst;
    this.handle = handle;
    this.key = key;
  }

  send(value: unknown): Promise<void> {
    if (this.error !== undefined) throw new ChannelError(this.error.reason, this.error.message);
    const payload = encodeFor(this.dst, value);
    const length = payloadLength(payload);
    if (length > this.router.maxMessageSize) {
      throw new ChannelError('too-large', `A value of ${length} bytes exceeds maxMessageSize (${this.router.maxMessageSize} bytes); send less per value or raise maxMessageSize.`);
    }
    if (this.#queued.length === 0 && this.#sent < this.#granted && this.router.routeFor(this.dst)?.backedUp !== true) {
      this.#write(payload, length);
      return RESOLVED;
    }
    if (this.#queuedBytes > 0 && this.#queuedBytes + length > SENDER_QUEUE_LIMIT) {
      throw new ChannelError(
        'overflow',
        `${this.#queuedBytes} bytes already wait to be sent to a receiver that reads slower than they are sent; await sender.send() (it resolves when there is room) instead of sending without waiting.`,
      );
    }
    const promise = this.#enqueue(payload, length);
    // A producer that does not await learns of a failure from its next send, not as an unhandled rejection.
    promise.catch(noop);
    return promise;
  }

  close(): void {
    if (this.error !== undefined) return;
    if (this.#queued.length === 0) this.#close();
    else void this.#enqueue(undefined, 0).catch(noop);
  }

  #enqueue(payload: Payload | undefined, length: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queued.push({ payload, length, resolve, reject });
      this.#queuedBytes += length;
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queued.length > 0 && this.error === undefined) {
        if (this.#sent >= this.#granted) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
          continue;
        }
        const stream = this.router.routeFor(this.dst);
        if (stream?.backedUp === true) {
          await stream.drained();
          continue;
        }
        const item = this.#queued.shift()!;
        this.#queuedBytes -= item.length;
        if (item.payload === undefined) {
          this.#close();
          item.resolve();
          continue;
        }
        try {
          this.#write(item.payload, item.length);
          item.resolve();
        } catch (error) {
          item.reject(error);
          this.#fail(error as ChannelError);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }

  #write(payload: Payload, length: number): void {
    if (this.#grantHandle === 0) {
      this.#grantHandle = this.router.allocate({
        persist: true,
        respondent: this.dst,
        kind: 'receiver-credit',
        peers: this.dst,
        fn: (frame) => this.#onGrant(frame),
      });
    }
    this.router.sendPayload(this.dst, this.handle, this.#grantHandle, Array.isArray(payload) ? ENCODING_V8_SEGMENTS : ENCODING_V8, payload);
    this.#sent += length + VALUE_COST;
  }

  /** A grant (the total the receiver allows, as a float64) or a dead message: the receiver closed, refused us, or is gone. */
  #onGrant(frame: Frame): void {
    if (frame.encoding === ENCODING_DEAD) {
      const error = deadError(frame);
      this.#fail(
        error.reason === 'closed'
          ? new ChannelError('closed', `The receiver in ${this.router.contextName(this.dst)} was closed (its consumer called close() or left its loop); stop sending.`)
          : error,
      );
      return;
    }
    if (frame.encoding !== ENCODING_RAW || frame.payload.length !== 8) return;
    const granted = frame.payload.readDoubleBE(0);
    if (!(granted > this.#granted) || !Number.isFinite(granted)) return;
    this.#granted = granted;
    this.#wake?.();
  }

  #close(): void {
    try {
      this.router.sendPayload(this.dst, this.handle, 0, ENCODING_DEAD, deadPayload('closed', 'the sender was closed'));
    } catch {
      // The receiver's side is gone: it has ended already.
    }
    this.#fail(new ChannelError('closed', 'This sender was closed; a closed sender sends nothing more.'));
  }

  /** Ends the channel here: waiting values are refused with `error`, and later sends throw it. */
  #fail(error: ChannelError): void {
    if (this.error !== undefined) return;
    this.error = error;
    outlets.get(this.router)?.delete(this.key);
    if (this.#grantHandle !== 0) this.router.removeHandler(this.#grantHandle);
    for (const item of this.#queued.splice(0)) {
      if (item.payload === undefined) item.resolve();
      else item.reject(error);
    }
    this.#queuedBytes = 0;
    this.#wake?.();
  }
}

/** Every outlet of a router, by "dst:handle", so that Sender objects naming one receiver share its credit. */
const outlets = new WeakMap<CallHost, Map<string, Outlet>>();

function outletFor(router: CallHost, dst: number, handle: number): Outlet {
  let byKey = outlets.get(router);
  if (byKey === undefined) outlets.set(router, (byKey = new Map()));
  const key = `${dst}:${handle}`;
  let outlet = byKey.get(key);
  if (outlet === undefined) byKey.set(key, (outlet = new Outlet(router, dst, handle, key)));
  return outlet;
}

/**
 * The sending half of a Receiver, a value that travels: inside a context it arrives as an argument
 * and sends values back to the receiver's process.
 *
 * Flow control: the receiver grants each sending context a window of RECEIVER_WINDOW bytes ahead of
 * what its consumer has read. `send()` writes at once while there is room and the stream is not
 * backed up, and then returns a resolved promise; otherwise the value waits in this process and the
 * promise resolves when it has been written. A producer that does not await may get up to
 * SENDER_QUEUE_LIMIT bytes ahead; past that `send()` throws ChannelError 'overflow'.
 *
 * @example
 * export async function tail(path: string, sender: Sender<string>): Promise<void> {
 *   for await (const line of lines(path)) await sender.send(line);
 *   sender.close();
 * }
 */
export class Sender<T = unknown> {
  /** The id of the context holding the receiver. */
  readonly contextId: number;
  readonly #router: CallHost;
  readonly #handle: number;
  readonly #owner: SenderOwner | undefined;
  #outlet: Outlet | undefined;

  /** @internal */
  constructor(router: CallHost, contextId: number, handle: number, owner?: SenderOwner) {
    this.#router = router;
    this.contextId = contextId;
    this.#handle = handle;
    this.#owner = owner;
  }

  #channel(): Outlet {
    this.#outlet ??= outletFor(this.#router, this.contextId, this.#handle);
    return this.#outlet;
  }

  /**
   * Sends one value to the receiver. The value is encoded now; awaiting the promise waits until the
   * receiver has room for it.
   * @returns a promise that resolves once the value is on its way (at once while the window has room).
   * @throws ChannelError 'closed' once the receiver was closed (or this sender was), 'disconnected' or
   *   'no-route' when the receiver's context cannot be reached, 'too-large' for a value over
   *   maxMessageSize, 'overflow' when SENDER_QUEUE_LIMIT bytes already wait (await send() to avoid it).
   *   The promise rejects with the same errors when they happen while the value waits.
   */
  send(value: T): Promise<void> {
    return this.#channel().send(value);
  }

  /** Ends the receiver's iteration, after the values already sent. Later sends throw ChannelError 'closed'. */
  close(): void {
    this.#channel().close();
  }

  [encodeTag](): Tagged {
    this.#owner?.heldBy(encodeState.destination);
    return { [TAG]: 's', id: this.contextId, handle: this.#handle };
  }
}
