// The reference the randomized test checks the wheel against: a plain list sorted by (deadline, insertion).
// It states the scheduling rules as directly as possible:
// - a task due at deadline d runs when the clock reaches ceil(d / resolution) * resolution, or at once
//   (at the next advance) if that time has already passed;
// - due tasks run in order of deadline, then insertion; `at` with a past time counts as now;
// - a recurrence's n-th run is due at start + n * period; runs already late when it is rescheduled are skipped.

export interface ModelHandle {
  cancel(): boolean;
}

interface Entry {
  deadline: number;
  seq: number;
  fn: () => void;
  live: boolean;
  recurrence?: { period: number; start: number; n: number };
}

export class ModelScheduler {
  now = 0;
  #seq = 0;
  readonly #list: Entry[] = [];

  constructor(readonly resolution: number) {}

  get size(): number {
    return this.#list.length;
  }

  get nextDeadline(): number | undefined {
    return this.#list[0]?.deadline;
  }

  defer(ms: number, fn: () => void): ModelHandle {
    return this.#handle(this.#insert({ deadline: this.now + ms, seq: 0, fn, live: true }));
  }

  at(time: number, fn: () => void): ModelHandle {
    return this.#handle(this.#insert({ deadline: Math.max(time, this.now), seq: 0, fn, live: true }));
  }

  recur(period: number, fn: () => void, immediate: boolean): ModelHandle {
    const n = immediate ? 0 : 1;
    const recurrence = { period, start: this.now, n };
    return this.#handle(this.#insert({ deadline: this.now + n * period, seq: 0, fn, live: true, recurrence }));
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const head = this.#list[0];
      if (!head) break;
      const fireAt = Math.max(Math.ceil(head.deadline / this.resolution) * this.resolution, this.now);
      if (fireAt > target) break;
      this.now = fireAt;
      this.#list.shift();
      const { recurrence } = head;
      if (!recurrence) head.live = false;
      head.fn();
      if (recurrence && head.live) {
        recurrence.n++;
        let next = recurrence.start + recurrence.n * recurrence.period;
        if (next < this.now) {
          recurrence.n = Math.ceil((this.now - recurrence.start) / recurrence.period);
          next = recurrence.start + recurrence.n * recurrence.period;
          if (next < this.now) next = recurrence.start + ++recurrence.n * recurrence.period;
        }
        head.deadline = next;
        this.#insert(head);
      }
    }
    this.now = target;
  }

  #insert(entry: Entry): Entry {
    entry.seq = ++this.#seq;
    const list = this.#list;
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      const other = list[mid]!;
      if (other.deadline < entry.deadline || (other.deadline === entry.deadline && other.seq < entry.seq)) low = mid + 1;
      else high = mid;
    }
    list.splice(low, 0, entry);
    return entry;
  }

  #handle(entry: Entry): ModelHandle {
    return {
      cancel: () => {
        if (!entry.live) return false;
        entry.live = false;
        const index = this.#list.indexOf(entry);
        if (index >= 0) this.#list.splice(index, 1);
        return true;
      },
    };
  }
}
