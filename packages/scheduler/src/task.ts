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
  /** Makes the type nominal: only the Scheduler's handles are Tasks. */
  private declare readonly brand: never;

  /**
   * @internal Tasks are made by a Scheduler, as instances of the internal class `TaskHandle` (whose
   * prototype inherits this one's, so `instanceof Task` holds).
   */
  constructor(_index: number, _id: number) {
    throw new TypeError('A Task is made by Scheduler.defer(), at() or recur(), not with new Task().');
  }

  /** Stops the task from running (again). Returns true if it was pending, false if it had already run or been cancelled. */
  cancel(): boolean {
    return notMadeByAScheduler();
  }

  /** True until the task has run (a one-shot) or been cancelled; a recurrence stays pending until cancelled. */
  get pending(): boolean {
    return notMadeByAScheduler();
  }

  /** When the task is next due, in milliseconds on the scheduler's clock; undefined once it is not pending. */
  get deadline(): number | undefined {
    return notMadeByAScheduler();
  }

  /** @internal */
  [renewTask](_id: number): void {
    notMadeByAScheduler();
  }
}

function notMadeByAScheduler(): never {
  throw new TypeError('This Task method was called on an object that is not a Task made by a Scheduler.');
}

/**
 * The class of every scheduler's handles (internal). Each handle holds its scheduler's `TaskOwner`, its
 * index in the wheel and its id. One class for all schedulers keeps `task.cancel()` and `defer`'s `new`
 * monomorphic: with a class per scheduler, defer + cancel ran about 2x slower once a second scheduler (a
 * ManualClock's in a test, say) had been used in the process. The class does not extend Task (a derived
 * constructor costs about three times as much as a base one, per defer); its prototype inherits Task's.
 */
class OwnedTask {
  readonly #owner: TaskOwner;
  readonly #index: number;
  #id: number;

  constructor(owner: TaskOwner, index: number, id: number) {
    this.#owner = owner;
    this.#index = index;
    this.#id = id;
  }

  cancel(): boolean {
    return this.#owner.cancel(this.#index, this.#id);
  }

  get pending(): boolean {
    return this.#owner.holds(this.#index, this.#id);
  }

  get deadline(): number | undefined {
    const owner = this.#owner;
    return owner.holds(this.#index, this.#id) ? owner.deadlineOf(this.#index) : undefined;
  }

  [renewTask](id: number): void {
    this.#id = id;
  }
}
Object.defineProperty(OwnedTask, 'name', { value: 'Task' });
Object.setPrototypeOf(OwnedTask.prototype, Task.prototype);

/** Makes the handle of the task at `index` with `id` in `owner`'s wheel (internal). */
export const TaskHandle = OwnedTask as unknown as new (owner: TaskOwner, index: number, id: number) => Task;
