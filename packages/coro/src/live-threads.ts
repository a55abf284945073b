// The live coroutines, as an intrusive list: O(1) to add and remove, no hashing on spawn or death.

/** What the list links (internal). */
export interface Linked {
  readonly id: number;
  prevLive: Linked | undefined;
  nextLive: Linked | undefined;
}

/**
 * A read-only Map view of the live coroutines by id, in creation order. `get` and `has` walk the list
 * (they serve debugging: whereAll(), a backdoor); `size` and iteration are as cheap as a Map's.
 */
export class LiveThreads<V extends Linked> implements ReadonlyMap<number, V> {
  #first: V | undefined = undefined;
  #last: V | undefined = undefined;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** @internal */
  add(item: V): void {
    item.prevLive = this.#last;
    item.nextLive = undefined;
    if (this.#last) this.#last.nextLive = item;
    else this.#first = item;
    this.#last = item;
    this.#size++;
  }

  /** @internal */
  delete(item: V): void {
    const { prevLive, nextLive } = item;
    if (prevLive) prevLive.nextLive = nextLive;
    else if (this.#first === item) this.#first = nextLive as V | undefined;
    else return; // not in the list
    if (nextLive) nextLive.prevLive = prevLive;
    else this.#last = prevLive as V | undefined;
    item.prevLive = item.nextLive = undefined;
    this.#size--;
  }

  get(id: number): V | undefined {
    for (let item = this.#first; item !== undefined; item = item.nextLive as V | undefined) if (item.id === id) return item;
    return undefined;
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  values(): MapIterator<V> {
    return this.#walk((item) => item) as unknown as MapIterator<V>;
  }

  keys(): MapIterator<number> {
    return this.#walk((item) => item.id) as unknown as MapIterator<number>;
  }

  entries(): MapIterator<[number, V]> {
    return this.#walk((item): [number, V] => [item.id, item]) as unknown as MapIterator<[number, V]>;
  }

  *#walk<R>(map: (item: V) => R): Generator<R, undefined, unknown> {
    for (let item = this.#first; item !== undefined; ) {
      const next = item.nextLive as V | undefined; // the item may die while the caller looks at it
      yield map(item);
      item = next;
    }
    return undefined;
  }

  [Symbol.iterator](): MapIterator<[number, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: number, map: ReadonlyMap<number, V>) => void, thisArg?: unknown): void {
    for (const item of this.values()) callback.call(thisArg, item, item.id, this);
  }
}
