// The handle returned for every scheduled task.

/** What a Task needs from the scheduler that made it (internal). */
export interface TaskOwner {
  cancel(index: number, id: number): boolean;
  holds(index: number, id: number): boolean;
  deadlineOf(index: number): number;
}

/** Renews a recurrence's handle for its next run (internal). */
export const renewTask = Symbol('renewTask');

/**
 * A scheduled piece of work: returned by `Scheduler.defer`, `at` and `recur`. Cancelling is O(1) and safe
 * at any time: after the task ran, after `close()`, twice, or from inside a task (a recurrence cancelled
 * from its own run does not run again).
 *
 * @example
 * import { Scheduler } from '@x/scheduler';
 * const scheduler = new Scheduler();
 * const task = scheduler.defer(1_000, () => console.log('never printed'));
 * task.cancel(); // true: it was pending
 */
export class Task {
  readonly #owner: TaskOwner;
  readonly #index: number;
  #id: number;

  /** @internal Tasks are made by a Scheduler. */
  constructor(owner: TaskOwner, index: number, id: number) {
    this.#owner = owner;
    this.#index = index;
    this.#id = id;
  }

  /** Stops the task from running (again). Returns true if it was pending, false if it had already run or been cancelled. */
  cancel(): boolean {
    return this.#owner.cancel(this.#index, this.#id);
  }

  /** True until the task has run (a one-shot) or been cancelled; a recurrence stays pending until cancelled. */
  get pending(): boolean {
    return this.#owner.holds(this.#index, this.#id);
  }

  /** When the task is next due, in milliseconds on the scheduler's clock; undefined once it is not pending. */
  get deadline(): number | undefined {
    return this.pending ? this.#owner.deadlineOf(this.#index) : undefined;
  }

  /** @internal */
  [renewTask](id: number): void {
    this.#id = id;
  }
}
