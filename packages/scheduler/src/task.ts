// The handle returned for every scheduled task.

/** What a Task needs from the scheduler that made it (internal). */
export interface TaskOwner {
  cancel(index: number, id: number): boolean;
  holds(index: number, id: number): boolean;
  deadlineOf(index: number): number;
}

/** Renews a recurrence's handle for its next run (internal). */
export const renewTask = Symbol('renewTask');

/** Where a Task finds its scheduler: a property of the per-scheduler subclass's prototype, not of each handle (internal). */
export const taskOwner = Symbol('taskOwner');

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
  declare readonly [taskOwner]: TaskOwner;
  readonly #index: number;
  #id: number;

  /** @internal Tasks are made by a Scheduler. */
  constructor(index: number, id: number) {
    this.#index = index;
    this.#id = id;
  }

  /** @internal A subclass whose handles belong to `owner`: two fields per handle instead of three. */
  static [taskOwner](owner: TaskOwner): new (index: number, id: number) => Task {
    const Owned = class Task extends this {};
    Object.defineProperty(Owned.prototype, taskOwner, { value: owner });
    return Owned;
  }

  /** Stops the task from running (again). Returns true if it was pending, false if it had already run or been cancelled. */
  cancel(): boolean {
    return this[taskOwner].cancel(this.#index, this.#id);
  }

  /** True until the task has run (a one-shot) or been cancelled; a recurrence stays pending until cancelled. */
  get pending(): boolean {
    return this[taskOwner].holds(this.#index, this.#id);
  }

  /** When the task is next due, in milliseconds on the scheduler's clock; undefined once it is not pending. */
  get deadline(): number | undefined {
    return this.pending ? this[taskOwner].deadlineOf(this.#index) : undefined;
  }

  /** @internal */
  [renewTask](id: number): void {
    this.#id = id;
  }
}
