// What the wheel stores for tasks that are not a plain one-shot function (internal).
import { AbortError, SchedulerClosedError } from './errors.js';
import type { Task } from './task.js';

/** A `recur` task: its n-th run is due at `start + n * periodMs`, whatever time the previous runs took. */
export class Recurrence {
  /** The handle returned by `recur`, renewed with each run's id. */
  task!: Task;

  constructor(
    readonly fn: () => unknown,
    readonly periodMs: number,
    readonly start: number,
    /** The number of the run now scheduled (run 0 is at `start`, only with `immediate`). */
    public n: number,
  ) {}

  /** The deadline of the run after the current one; runs that would already be late by `now` are skipped. */
  following(now: number): number {
    this.n++;
    let next = this.start + this.n * this.periodMs;
    if (next < now) {
      this.n = Math.ceil((now - this.start) / this.periodMs);
      next = this.start + this.n * this.periodMs;
      if (next < now) next = this.start + ++this.n * this.periodMs;
    }
    return next;
  }
}

/** A pending `sleep`: resolved when due, rejected on abort or close. */
export class SleepJob {
  onAbort: (() => void) | undefined;

  constructor(
    readonly resolve: () => void,
    readonly reject: (error: unknown) => void,
    readonly signal: AbortSignal | undefined,
  ) {}

  fire(): void {
    this.#unlisten();
    this.resolve();
  }

  abort(): void {
    this.#unlisten();
    this.reject(new AbortError(this.signal?.reason));
  }

  drop(): void {
    this.#unlisten();
    this.reject(new SchedulerClosedError('sleep', true));
  }

  #unlisten(): void {
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    this.onAbort = undefined;
  }
}
