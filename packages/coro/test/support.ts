// Small helpers shared by the tests.
import { type Operation, toPromise } from '../src/index.js';

/** Runs a generator function in a coroutine and gives its result as a promise. */
export function run<T>(fn: () => Operation<T>): Promise<T> {
  return toPromise(fn());
}

/** Waits `ms` milliseconds of real time, outside any coroutine. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lets queued coroutines, microtasks and one round of the event loop run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
