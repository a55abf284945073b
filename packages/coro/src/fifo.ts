// Fifo: an unbounded first-in first-out queue whose pop() suspends while it is empty.
import type { Coro } from './coro.js';
import type { Operation } from './operation.js';
import { WaitQueue, Waiter } from './wait-queue.js';

/** Fifo.pop() (one item) or Fifo.popAll() (every item, as an array). */
class Pop<T> extends Waiter<T | T[]> {
  readonly #fifo: Fifo<T>;
  readonly all: boolean;

  constructor(fifo: Fifo<T>, all: boolean) {
    super();
    this.#fifo = fifo;
    this.all = all;
  }

  protected get selfish(): boolean {
    return true;
  }

  describe(): string {
    return this.all ? 'Fifo.popAll()' : 'Fifo.pop()';
  }

  protected attempt(_co: Coro): boolean {
    const fifo = this.#fifo;
    if (fifo.size === 0) {
      fifo.waiters.push(this);
      return false;
    }
    this.result = this.all ? fifo.takeAll() : fifo.take();
    return true;
  }

  /** Interrupted after the handoff: what it was handed goes back to the front. */
  protected undo(handed: unknown): void {
    const items = this.all ? (handed as T[]) : [handed as T];
    for (let k = items.length - 1; k >= 0; k--) this.#fifo.pushFront(items[k]!);
  }
}

/**
 * A first-in first-out queue between coroutines (shrapnel's `fifo`): `push` never blocks, `pop` suspends
 * until an item is there. Waiting poppers are served in the order they came; an item pushed while one
 * waits is handed to it directly. An interrupted popper leaves the queue, and an item it was handed but
 * had not yet taken goes back to the front.
 *
 * @example
 * import { Fifo, spawn } from '@x/coro';
 * const jobs = new Fifo<string>();
 * spawn(function* () {
 *   for (;;) console.log('job', yield* jobs.pop());
 * });
 * jobs.push('a');
 * jobs.push('b');
 */
export class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;
  /** @internal */
  readonly waiters = new WaitQueue<Pop<T>>();

  /** How many items are queued. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** How many coroutines are waiting in pop() or popAll(). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Adds an item at the back, handing it straight to the first waiting popper if there is one. */
  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.#items.push(item);
    else waiter.wake(waiter.all ? [item] : item);
  }

  /** Adds an item at the front (it is the next one popped). */
  pushFront(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter.wake(waiter.all ? [item] : item);
    else if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /**
   * Takes the first item, suspending until there is one.
   *
   * @example
   * import { Fifo, spawn } from '@x/coro';
   * const lines = new Fifo<string>();
   * spawn(function* () { const line: string = yield* lines.pop(); console.log(line); });
   * lines.push('hello');
   */
  pop(): Operation<T> {
    return new Pop(this, false) as Operation<T>;
  }

  /** Takes every queued item, suspending until there is at least one. */
  popAll(): Operation<T[]> {
    return new Pop(this, true) as Operation<T[]>;
  }

  /** The first item without taking it, or undefined when empty. */
  top(): T | undefined {
    return this.size > 0 ? this.#items[this.#head] : undefined;
  }

  /** @internal Takes the first item; the caller checked the size. */
  take(): T {
    const items = this.#items;
    const item = items[this.#head]!;
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** @internal */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
