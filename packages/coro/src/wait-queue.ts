// A FIFO of parked operations with O(1) removal, so an interrupted waiter leaves no entry behind.
import { Suspension } from './operation.js';

/** A suspension that waits in a WaitQueue (internal). */
export abstract class Waiter<T = unknown> extends Suspension<T> {
  /** @internal */
  declare prevWaiter: Waiter | undefined;
  /** @internal */
  declare nextWaiter: Waiter | undefined;
  /** @internal The queue it is in, if any. */
  declare queue: WaitQueue<Waiter> | undefined;

  constructor() {
    super(); // assigned, not class fields: see Suspension
    this.prevWaiter = undefined;
    this.nextWaiter = undefined;
    this.queue = undefined;
  }

  /** Leaves its queue when interrupted. */
  protected cancel(): void {
    this.queue?.remove(this);
  }
}

/** A doubly linked FIFO of waiters (internal). */
export class WaitQueue<W extends Waiter> {
  #first: W | undefined = undefined;
  #last: W | undefined = undefined;
  size = 0;

  get first(): W | undefined {
    return this.#first;
  }

  push(waiter: W): void {
    waiter.queue = this as unknown as WaitQueue<Waiter>;
    waiter.prevWaiter = this.#last;
    waiter.nextWaiter = undefined;
    if (this.#last) this.#last.nextWaiter = waiter;
    else this.#first = waiter;
    this.#last = waiter;
    this.size++;
  }

  shift(): W | undefined {
    const waiter = this.#first;
    if (waiter) this.remove(waiter);
    return waiter;
  }

  remove(waiter: W): void {
    if (waiter.queue !== (this as unknown as WaitQueue<Waiter>)) return;
    const { prevWaiter, nextWaiter } = waiter;
    if (prevWaiter) prevWaiter.nextWaiter = nextWaiter;
    else this.#first = nextWaiter as W | undefined;
    if (nextWaiter) nextWaiter.prevWaiter = prevWaiter;
    else this.#last = prevWaiter as W | undefined;
    waiter.prevWaiter = waiter.nextWaiter = waiter.queue = undefined;
    this.size--;
  }
}
