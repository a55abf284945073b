import { ChannelError } from '../errors.js';
import { ENCODING_DEAD, ENCODING_RAW, type Frame } from '../wire/frame.js';
import { deadError, deadPayload } from '../routing/dead-error.js';
import type { CallHost } from './call-host.js';
import { RECEIVER_WINDOW, Sender, type SenderOwner, VALUE_COST } from './sender.js';

/** One sending context, as its receiver counts it: bytes received, granted and read, and where grants go. */
interface Peer {
  src: number;
  /** The handle in the sender's process that hears grants and the end of the channel. */
  replyTo: number;
  received: number;
  /** The total the sender may send; it starts at RECEIVER_WINDOW, as the sender assumes. */
  granted: number;
  consumed: number;
}

interface Entry<T> {
  value: T;
  peer: Peer;
  cost: number;
}

/**
 * A stream of values from contexts: pass `receiver.sender` as a call argument, and the function in
 * the context sends values with `await sender.send(value)` and ends with `sender.close()`. Iterating
 * ends when the sender is closed; it throws a ChannelError ('disconnected') when a context the sender
 * was passed to ends without closing it. Breaking out of the loop closes the receiver, and senders
 * learn it: their later sends throw ChannelError 'closed'.
 *
 * The queue is bounded: each sending context may be RECEIVER_WINDOW bytes (plus one value) ahead of
 * the consumer; a sender waits for more credit, which the receiver grants as its consumer reads. A
 * context that sends past its credit anyway (it forged frames) ends the receiver with ChannelError
 * 'overflow' and what it sent is dropped.
 *
 * @example
 * const rx = router.receiver<string>();
 * const done = ctx.call(url, 'tail', '/var/log/syslog', rx.sender);
 * for await (const line of rx) console.log(line);
 * await done;
 */
export class Receiver<T = unknown> implements AsyncIterable<T>, SenderOwner {
  /** The travelling half: pass it as an argument to `ctx.call`. */
  readonly sender: Sender<T>;
  readonly #router: CallHost;
  readonly #handle: number;
  #queue: Entry<T>[] = [];
  #head = 0;
  readonly #waiters: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  readonly #holders = new Set<number>();
  readonly #peers = new Map<number, Peer>();
  #end: ChannelError | 'closed' | undefined;

  constructor(router: CallHost) {
    this.#router = router;
    this.#handle = router.allocate({
      persist: true,
      kind: 'receiver-value',
      peers: this.#holders,
      fn: (frame) => this.#onFrame(frame),
    });
    this.sender = new Sender<T>(router, router.id, this.#handle, this);
  }

  /** @internal The sender was encoded into a message for context `id`: it may now send, and its end ends us. */
  heldBy(id: number): void {
    if (id < 0 || this.#end !== undefined) return;
    this.#holders.add(id);
    this.#router.addRespondent(this.#handle, id);
  }

  #onFrame(frame: Frame): void {
    if (this.#end !== undefined) return;
    if (frame.encoding === ENCODING_DEAD) {
      const error = deadError(frame);
      this.#finish(error.reason === 'closed' ? 'closed' : error);
      return;
    }
    let peer = this.#peers.get(frame.src);
    if (peer === undefined) this.#peers.set(frame.src, (peer = { src: frame.src, replyTo: 0, received: 0, granted: RECEIVER_WINDOW, consumed: 0 }));
    if (frame.replyTo !== 0) peer.replyTo = frame.replyTo;
    // A sender writes only while it has credit left, so a value arriving with none is a forged one.
    if (peer.received >= peer.granted) {
      const name = this.#router.contextName(frame.src);
      this.#queue = [];
      this.#head = 0;
      this.#finish(new ChannelError('overflow', `${name} sent more than this receiver granted (${RECEIVER_WINDOW} bytes ahead of what was read): a Sender waits for room by itself, so ${name} forged its frames; the receiver refused it and dropped what it sent.`));
      return;
    }
    const cost = frame.payload.length + VALUE_COST;
    peer.received += cost;
    let value: T;
    try {
      value = this.#router.decode(frame) as T;
    } catch (error) {
      this.#finish(new ChannelError('closed', `A value for a receiver could not be decoded: ${(error as Error).message}.`, { cause: error }));
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#queue.push({ value, peer, cost });
      return;
    }
    this.#consumed(peer, cost);
    waiter.resolve({ value, done: false });
  }

  /** The consumer took `cost` bytes of `peer`'s: past a quarter window since the last grant, grant a window more. */
  #consumed(peer: Peer, cost: number): void {
    peer.consumed += cost;
    if (this.#end !== undefined || peer.replyTo === 0 || peer.consumed + RECEIVER_WINDOW - peer.granted < RECEIVER_WINDOW / 4) return;
    peer.granted = peer.consumed + RECEIVER_WINDOW;
    const grant = Buffer.allocUnsafe(8);
    grant.writeDoubleBE(peer.granted, 0);
    try {
      this.#router.sendPayload(peer.src, peer.replyTo, 0, ENCODING_RAW, grant);
    } catch {
      // The sender's context is gone; its disconnection ends this receiver.
    }
  }

  #finish(end: ChannelError | 'closed'): void {
    this.#end = end;
    this.#router.removeHandler(this.#handle);
    // Every sender that sent hears the end, so a producer stops instead of streaming into nothing.
    const text = deadPayload('closed', `the receiver in ${this.#router.name} was closed`);
    for (const [src, peer] of this.#peers) {
      if (peer.replyTo === 0) continue;
      try {
        this.#router.sendPayload(src, peer.replyTo, 0, ENCODING_DEAD, text);
      } catch {
        // Gone already.
      }
    }
    for (const waiter of this.#waiters.splice(0)) {
      if (end === 'closed') waiter.resolve({ value: undefined, done: true });
      else waiter.reject(end);
    }
  }

  /** The next value; `done` once the sender closed. @throws ChannelError when a holder disconnected or a sender overflowed. */
  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#queue.length) {
      const entry = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as Entry<T>;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#consumed(entry.peer, entry.cost);
      return Promise.resolve({ value: entry.value, done: false });
    }
    if (this.#end === 'closed') return Promise.resolve({ value: undefined, done: true });
    if (this.#end !== undefined) return Promise.reject(this.#end);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Stops receiving: what was queued is dropped, and senders' later sends throw ChannelError 'closed'. */
  close(): void {
    if (this.#end === undefined) this.#finish('closed');
    this.#queue = [];
    this.#head = 0;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
