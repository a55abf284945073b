// inParallel: run several operations at once and wait for all of them.
import { type Coro, newCoro } from './coro.js';
import { InParallelError, InvalidArgumentError, type ParallelResult } from './errors.js';
import type { Operation, Suspension } from './operation.js';

/** One job of inParallel: a function returning an operation, and its arguments. */
export type ParallelJob = readonly [fn: (...args: any[]) => Operation<unknown>, args?: readonly unknown[]];

/** The results of inParallel's jobs, position by position. */
export type ParallelResults<J extends readonly ParallelJob[]> = {
  -readonly [K in keyof J]: J[K] extends readonly [(...args: any[]) => Operation<infer R>, ...unknown[]] ? R : never;
};

function* gather(children: Coro[]): Generator<Suspension, unknown[], unknown> {
  const settled: ParallelResult[] = [];
  let failed = false;
  try {
    for (const child of children) child.start();
    for (const child of children) {
      try {
        settled.push({ status: 'fulfilled', value: yield* child.join() });
      } catch (reason) {
        if (!child.dead) throw reason; // the waiting coroutine itself was interrupted
        failed = true;
        settled.push({ status: 'rejected', reason });
      }
    }
  } finally {
    for (const child of children) child.shutdown(); // no-op for the ones that ended
  }
  if (failed) throw new InParallelError(settled);
  return settled.map((result) => (result as { value: unknown }).value);
}

/**
 * Runs each `[fn, args]` job in its own coroutine and waits for all of them (shrapnel's `in_parallel`).
 * Gives the results in the order of the jobs. If any job failed, throws `InParallelError` once every job
 * has ended, with every job's value or reason in `results`; one failure does not stop the others. If the
 * waiting coroutine is interrupted, the jobs still running are shut down.
 *
 * @throws {InParallelError} `ERR_X_CORO_IN_PARALLEL` when at least one job failed.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a job that is not `[function, args?]`.
 * @example
 * import { inParallel, sleep, spawn } from '@x/coro';
 * function* fetchUser(id: number) { yield* sleep(10); return { id }; }
 * function* fetchCount() { yield* sleep(5); return 3; }
 * spawn(function* () {
 *   const [user, count] = yield* inParallel([[fetchUser, [7]], [fetchCount]]);
 *   console.log(user.id, count);
 * });
 */
export function inParallel<const J extends readonly ParallelJob[]>(jobs: J): Operation<ParallelResults<J>> {
  if (!Array.isArray(jobs)) throw new InvalidArgumentError('jobs', 'an array of [function, args?] pairs', jobs);
  const children = jobs.map((job: unknown, index) => {
    if (!Array.isArray(job) || typeof job[0] !== 'function' || (job[1] !== undefined && !Array.isArray(job[1]))) {
      throw new InvalidArgumentError(`jobs[${index}]`, 'a [function, args?] pair', job);
    }
    const child = newCoro(job[0] as (...args: unknown[]) => Operation<unknown>, ...((job[1] as unknown[] | undefined) ?? []));
    child.reportErrors = false;
    return child;
  });
  return gather(children) as Operation<ParallelResults<J>>;
}
