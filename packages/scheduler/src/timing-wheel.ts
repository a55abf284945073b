// The hierarchical timing wheel (Varghese & Lauck, scheme 6) that stores a Scheduler's tasks.
//
// Time is counted in ticks of `resolution` ms, relative to the tick the wheel was created at. A task due
// at tick t lives in one of LEVELS levels of 64 slots: level L holds tasks whose tick first differs from
// the current tick `cur` in base-64 digit L, in the slot named by that digit. Reaching the start of a
// level-L slot (L > 0) "cascades" it: its tasks move to lower levels. Level-0 slots hold one tick each.
// Tasks due before `cur` (scheduled late, or for a past time) wait in the `due` bucket. Tasks added by
// `defer` wait unplaced in the `pending` bucket, holding their delay, until `placePending(now)` turns it
// into a deadline: the scheduler reads the clock once for a whole synchronous burst of defers.
//
// Storage is a structure of arrays, not an object per task: a task is an index into typed arrays
// (deadline, insertion sequence, list links) plus one slot of `entries` holding its function. Each
// bucket is a circular doubly linked list through `next`/`prev` with a sentinel node (the bucket's own
// index), so insert and cancel are O(1), and a 64-bit occupancy mask per level finds the next occupied
// slot without visiting empty ones.

import { sortBatch } from './batch-sort.js';

const SLOTS = 64;
const LEVELS = 9; // 64^9 = 2^54 ticks: every delay up to 2^52 ms fits.
const POW: number[] = Array.from({ length: LEVELS + 1 }, (_, level) => SLOTS ** level);
/** The sentinel of the bucket of tasks already due. */
const DUE = LEVELS * SLOTS;
/** The sentinel of the bucket of deferred tasks not yet placed: their `deadline` is still the delay. */
const PENDING = DUE + 1;
/** The first index that holds a task; below it are the bucket sentinels. */
const FIRST = PENDING + 1;
/** `prev[i]` of a task taken out of the wheel into the running batch. */
const IN_BATCH = -1;

function firstSetFrom(low: number, high: number, from: number): number {
  if (from < 32) {
    const masked = low & (-1 << from);
    if (masked !== 0) return 31 - Math.clz32(masked & -masked);
    from = 32;
  }
  const masked = high & (-1 << (from - 32));
  return masked === 0 ? -1 : 63 - Math.clz32(masked & -masked);
}

export class TimingWheel {
  /** How many tasks are live (pending, or running and not yet finished if recurring). */
  size = 0;
  /** The next tick to process: every tick before it has run. */
  cur = 1;
  /** The sequence number given to the task last added or re-added; its `Task` id. */
  lastSeq = 0;
  /** The tick at which the bucket last linked by `add`/`readd` needs the wheel's attention. */
  lastEvent = 0;
  /** The tasks `nextBatch` took out, in deadline-then-insertion order. */
  readonly batch: number[] = [];

  deadline!: Float64Array;
  seq!: Float64Array;
  next!: Int32Array;
  prev!: Int32Array;
  /** A task's function or job object; undefined for a free or cancelled index. */
  entries!: unknown[];
  #bits = new Uint32Array(LEVELS * 2);
  #free = -1;
  #top = FIRST;
  #eventBucket = -1;

  constructor(
    readonly resolution: number,
    readonly originTick: number,
  ) {
    this.clear();
  }

  /** Drops every task and returns the memory. */
  clear(): void {
    const capacity = 1024;
    this.deadline = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    this.entries = Array.from({ length: capacity }, () => undefined);
    for (let bucket = 0; bucket < FIRST; bucket++) this.next[bucket] = this.prev[bucket] = bucket;
    this.#bits.fill(0);
    this.#free = -1;
    this.#top = FIRST;
    this.size = 0;
    this.batch.length = 0;
  }

  /**
   * Lets a wheel with nothing placed skip idle ticks, so a new task is placed relative to the present.
   * Not while a batch runs: its tasks are out of the buckets but not yet finished.
   */
  syncTo(tick: number): void {
    if (tick < this.cur || this.next[DUE] !== DUE) return;
    const bits = this.#bits;
    for (let word = 0; word < bits.length; word++) if (bits[word] !== 0) return;
    this.cur = tick + 1;
  }

  /**
   * Adds a task due `delay` ms after the time `placePending` will be given, unplaced until then; returns
   * its index. `lastSeq` is its id: its insertion order counts from now, not from its placement.
   */
  addPending(entry: unknown, delay: number): number {
    const index = this.#allocate(entry);
    this.deadline[index] = delay;
    this.seq[index] = ++this.lastSeq;
    const tail = this.prev[PENDING]!;
    this.next[tail] = index;
    this.prev[index] = tail;
    this.next[index] = PENDING;
    this.prev[PENDING] = index;
    return index;
  }

  /** Takes a free index (or a new one) for `entry`. */
  #allocate(entry: unknown): number {
    let index = this.#free;
    if (index >= 0) this.#free = this.next[index]!;
    else {
      index = this.#top++;
      if (index === this.next.length) this.#grow();
    }
    this.entries[index] = entry;
    this.size++;
    return index;
  }

  /** True while some task added by `addPending` waits to be placed. */
  get hasPending(): boolean {
    return this.next[PENDING] !== PENDING;
  }

  /**
   * Places every pending task, in insertion order, due its delay after `now`; returns the earliest tick
   * at which a bucket one of them went to needs attention (Infinity if there were none).
   */
  placePending(now: number): number {
    const deadline = this.deadline;
    let event = Infinity;
    for (let index = this.#detach(PENDING); index !== PENDING; ) {
      const after = this.next[index]!;
      deadline[index] = now + deadline[index]!;
      const at = this.#place(index);
      if (at < event) event = at;
      index = after;
    }
    return event;
  }

  /** Adds a task; returns its index. `lastSeq` is its id, `lastEvent` when the wheel must next wake. */
  add(entry: unknown, deadline: number): number {
    const index = this.#allocate(entry);
    this.readd(index, deadline);
    return index;
  }

  /** Places a live index again (a recurrence's next run) with a new deadline and sequence number. */
  readd(index: number, deadline: number): void {
    this.deadline[index] = deadline;
    this.seq[index] = ++this.lastSeq;
    this.lastEvent = this.#place(index);
  }

  /** Cancels the task at `index` if it is still the one numbered `id`; true if it was pending. */
  cancel(index: number, id: number): boolean {
    if (this.entries[index] === undefined || this.seq[index] !== id) return false;
    this.entries[index] = undefined;
    this.size--;
    // A task in the running batch is released by the batch loop when it reaches it.
    if (this.prev[index] !== IN_BATCH) {
      this.#unlink(index);
      this.#release(index);
    }
    return true;
  }

  /** True while `index` holds the task numbered `id`. */
  holds(index: number, id: number): boolean {
    return this.entries[index] !== undefined && this.seq[index] === id;
  }

  /**
   * Once nothing is live and no batch holds an index, hands indices out from the first again, in order:
   * a burst of adds then walks the arrays sequentially instead of wherever the free list (the previous
   * burst's indices, in firing or cancelling order) points. Stale `Task` handles stay harmless: sequence
   * numbers, their ids, are never reused.
   */
  reclaim(): void {
    if (this.size !== 0) return;
    this.#free = -1;
    this.#top = FIRST;
  }

  /** The entry at `index`: a task's function or job object; undefined once cancelled or taken. */
  entry(index: number): unknown {
    return this.entries[index];
  }

  /** The deadline of the live task at `index`. */
  deadlineOf(index: number): number {
    return this.deadline[index]!;
  }

  /**
   * Takes the task at `index` of the running batch out of the wheel and frees the index; returns its
   * entry, or undefined for a task cancelled while it waited in the batch. A recurrence that runs again
   * is not taken: it stays at its index and goes back with `readd`.
   */
  take(index: number): unknown {
    const entry = this.entries[index];
    if (entry !== undefined) {
      this.entries[index] = undefined;
      this.size--;
    }
    this.#release(index);
    return entry;
  }

  /** Returns a finished index to the free list; its entry must already be cleared. */
  #release(index: number): void {
    this.next[index] = this.#free;
    this.#free = index;
  }

  /**
   * Takes the next group of tasks due at or before tick `until` into `batch`, sorted by deadline then
   * insertion; cascades higher levels on the way. Returns false when nothing more is due.
   */
  nextBatch(until: number): boolean {
    this.batch.length = 0;
    for (;;) {
      if (this.next[DUE] !== DUE) {
        this.#take(DUE);
        return true;
      }
      const event = this.nextEvent();
      if (event > until) return false;
      const bucket = this.#eventBucket;
      if (bucket < SLOTS) {
        this.cur = event + 1;
        this.#take(bucket);
        return true;
      }
      this.cur = event;
      this.#cascade(bucket);
    }
  }

  /** After `nextBatch(until)` returned false: every tick up to `until` has been processed. */
  finish(until: number): void {
    if (this.cur <= until) this.cur = until + 1;
  }

  /**
   * The tick at which the wheel next needs attention: a level-0 slot's tick, the start of a higher slot
   * to cascade, or `-Infinity` when tasks are already due; `Infinity` when empty.
   */
  nextEvent(): number {
    if (this.next[DUE] !== DUE) {
      this.#eventBucket = DUE;
      return -Infinity;
    }
    let best = Infinity;
    const cur = this.cur;
    const bits = this.#bits;
    // From the top down, so a cascade due at the same tick as a level-0 slot comes first.
    for (let level = LEVELS - 1; level >= 0; level--) {
      const low = bits[level * 2]!;
      const high = bits[level * 2 + 1]!;
      if ((low | high) === 0) continue;
      const span = POW[level]!;
      const block = Math.floor(cur / (span * SLOTS));
      const slot = firstSetFrom(low, high, Math.floor(cur / span) % SLOTS);
      if (slot < 0) continue;
      const start = Math.max((block * SLOTS + slot) * span, cur);
      if (start < best) {
        best = start;
        this.#eventBucket = level * SLOTS + slot;
      }
    }
    return best;
  }

  /** The earliest deadline of any pending task, or undefined. Scans the first occupied slot of each level. */
  nextDeadline(): number | undefined {
    let best = this.#minDeadline(DUE, Infinity);
    const cur = this.cur;
    for (let level = 0; level < LEVELS; level++) {
      const slot = firstSetFrom(this.#bits[level * 2]!, this.#bits[level * 2 + 1]!, Math.floor(cur / POW[level]!) % SLOTS);
      if (slot >= 0) best = this.#minDeadline(level * SLOTS + slot, best);
    }
    return best === Infinity ? undefined : best;
  }

  /** Calls `visit` with every live entry (used by close). */
  forEachEntry(visit: (entry: unknown) => void): void {
    for (let index = FIRST; index < this.#top; index++) {
      const entry = this.entries[index];
      if (entry !== undefined) visit(entry);
    }
  }

  #minDeadline(bucket: number, best: number): number {
    for (let index = this.next[bucket]!; index !== bucket; index = this.next[index]!) {
      if (this.deadline[index]! < best) best = this.deadline[index]!;
    }
    return best;
  }

  /** Links `index` into the bucket for its deadline; returns the tick at which that bucket needs attention. */
  #place(index: number): number {
    const tick = Math.ceil(this.deadline[index]! / this.resolution) - this.originTick;
    const cur = this.cur;
    if (tick < cur) {
      this.#link(index, DUE);
      return -Infinity;
    }
    if (tick <= 0x7fffffff) {
      // Both fit in 31 bits (the first 24 days at 1 ms): the level is where the highest differing bit lies.
      const differing = tick ^ cur;
      const level = differing < SLOTS ? 0 : ((31 - Math.clz32(differing)) / 6) | 0;
      const shift = level * 6;
      this.#link(index, level * SLOTS + ((tick >>> shift) & 63));
      if (level === 0) return tick;
      const start = (tick >>> shift) << shift;
      return start > cur ? start : cur;
    }
    let level = 0;
    while (Math.floor(tick / POW[level + 1]!) !== Math.floor(cur / POW[level + 1]!)) level++;
    const span = POW[level]!;
    this.#link(index, level * SLOTS + (Math.floor(tick / span) % SLOTS));
    return level === 0 ? tick : Math.max(cur, Math.floor(tick / span) * span);
  }

  #link(index: number, bucket: number): void {
    const tail = this.prev[bucket]!;
    this.next[tail] = index;
    this.prev[index] = tail;
    this.next[index] = bucket;
    this.prev[bucket] = index;
    if (tail === bucket && bucket < DUE) this.#bits[bucket >> 5]! |= 1 << (bucket & 31);
  }

  #unlink(index: number): void {
    const before = this.prev[index]!;
    const after = this.next[index]!;
    this.next[before] = after;
    this.prev[after] = before;
    // Only an emptied bucket leaves its sentinel linked to itself.
    if (before === after && before < DUE) this.#bits[before >> 5]! &= ~(1 << (before & 31));
  }

  #detach(bucket: number): number {
    const first = this.next[bucket]!;
    this.next[bucket] = this.prev[bucket] = bucket;
    if (bucket < DUE) this.#bits[bucket >> 5]! &= ~(1 << (bucket & 31));
    return first;
  }

  #cascade(bucket: number): void {
    for (let index = this.#detach(bucket); index !== bucket; ) {
      const after = this.next[index]!;
      this.#place(index);
      index = after;
    }
  }

  #take(bucket: number): void {
    const batch = this.batch;
    const { deadline, seq } = this;
    let sorted = true;
    let last = -1;
    for (let index = this.#detach(bucket); index !== bucket; index = this.next[index]!) {
      this.prev[index] = IN_BATCH;
      if (last >= 0 && (deadline[index]! < deadline[last]! || (deadline[index] === deadline[last] && seq[index]! < seq[last]!))) {
        sorted = false;
      }
      batch.push(index);
      last = index;
    }
    if (!sorted) sortBatch(batch, deadline, seq);
  }

  #grow(): void {
    const capacity = this.next.length * 2;
    const grown = <T extends Float64Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const array = make(capacity);
      array.set(old);
      return array;
    };
    this.deadline = grown(this.deadline, (n) => new Float64Array(n));
    this.seq = grown(this.seq, (n) => new Float64Array(n));
    this.next = grown(this.next, (n) => new Int32Array(n));
    this.prev = grown(this.prev, (n) => new Int32Array(n));
    // Exactly `capacity` slots: growing by push would leave up to half again as many unused.
    this.entries = this.entries.concat(Array.from({ length: capacity - this.entries.length }, () => undefined));
  }
}
