import { TAG, type Tagged, encodeTag } from './codec.js';
import { ChannelError } from './errors.js';
import { ENCODING_DEAD, type Frame } from './frame.js';
import { deadError } from './dead-error.js';
import type { RouterCore } from './router-core.js';

/** The destination of the message being encoded, so a Sender knows which context now holds it. */
export const encodeState = { destination: -1 };

/**
 * A stream of values from contexts: pass `receiver.sender` as a call argument, and the function in
 * the context sends values with `sender.send(value)` and ends with `sender.close()`. Iterating ends
 * when the sender is closed; it throws a ChannelError ('disconnected') when a context the sender was
 * passed to ends without closing it. Breaking out of the loop closes the receiver.
 *
 * @example
 * const rx = router.receiver<string>();
 * const done = ctx.call(url, 'tail', '/var/log/syslog', rx.sender);
 * for await (const line of rx) console.log(line);
 * await done;
 */
export class Receiver<T = unknown> implements AsyncIterable<T> {
  /** The travelling half: pass it as an argument to `ctx.call`. */
  readonly sender: Sender<T>;
  readonly #router: RouterCore;
  readonly #handle: number;
  readonly #queue: T[] = [];
  readonly #waiters: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void }[] = [];
  readonly #holders = new Set<number>();
  #end: ChannelError | 'closed' | undefined;

  constructor(router: RouterCore) {
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
    let value: T;
    try {
      value = this.#router.decode(frame) as T;
    } catch (error) {
      this.#finish(new ChannelError('closed', `A value for a receiver could not be decoded: ${(error as Error).message}.`, { cause: error }));
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve({ value, done: false });
    else this.#queue.push(value);
  }

  #finish(end: ChannelError | 'closed'): void {
    this.#end = end;
    this.#router.removeHandler(this.#handle);
    for (const waiter of this.#waiters.splice(0)) {
      if (end === 'closed') waiter.resolve({ value: undefined, done: true });
      else waiter.reject(end);
    }
  }

  /** The next value; `done` once the sender closed. @throws ChannelError when a holder disconnected. */
  next(): Promise<IteratorResult<T>> {
    if (this.#queue.length > 0) return Promise.resolve({ value: this.#queue.shift() as T, done: false });
    if (this.#end === 'closed') return Promise.resolve({ value: undefined, done: true });
    if (this.#end !== undefined) return Promise.reject(this.#end);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Stops receiving; values sent later get a dead reply at their sender's router. */
  close(): void {
    if (this.#end === undefined) this.#finish('closed');
    this.#queue.length = 0;
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

/**
 * The sending half of a Receiver, a value that travels: inside a context it arrives as an argument
 * and sends values back to the receiver's process.
 */
export class Sender<T = unknown> {
  /** The id of the context holding the receiver. */
  readonly contextId: number;
  readonly #router: RouterCore;
  readonly #handle: number;
  readonly #receiver: Receiver<T> | undefined;

  /** @internal */
  constructor(router: RouterCore, contextId: number, handle: number, receiver?: Receiver<T>) {
    this.#router = router;
    this.contextId = contextId;
    this.#handle = handle;
    this.#receiver = receiver;
  }

  /**
   * Sends one value to the receiver.
   * @throws ChannelError when the receiver's context cannot be reached or the value is too large.
   */
  send(value: T): void {
    this.#router.send(this.contextId, this.#handle, 0, value);
  }

  /** Ends the receiver's iteration. */
  close(): void {
    try {
      this.#router.sendPayload(this.contextId, this.#handle, 0, ENCODING_DEAD, Buffer.from('closed\nthe sender was closed'));
    } catch {
      // The receiver's side is gone: it has ended already.
    }
  }

  [encodeTag](): Tagged {
    this.#receiver?.heldBy(encodeState.destination);
    return { [TAG]: 's', id: this.contextId, handle: this.#handle };
  }
}
