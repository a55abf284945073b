/**
 * @x/coro: cooperative threads on generators, with shrapnel's semantics: coroutines that can be
 * interrupted at any suspension point, timeouts that really interrupt, and a synchronous trampoline
 * cheap enough for 100k of them.
 *
 * @example
 * import { sleep, spawn, toPromise, withTimeout } from '@x/coro';
 * const worker = spawn(function* () {
 *   yield* withTimeout(1_000, sleep(10));
 *   return 'done';
 * });
 * console.log(await toPromise(worker.join()));
 */
export { Coro, allThreads, current, newCoro, spawn } from './coro.js';
export type { CoroFunction } from './coro.js';
export { Suspension } from './operation.js';
export type { Operation, Result } from './operation.js';
export { sleep, sleepAbsolute, yieldSlice } from './sleep.js';
export { withTimeout } from './with-timeout.js';
export { inParallel } from './in-parallel.js';
export type { ParallelJob, ParallelResults } from './in-parallel.js';
export { waitpid } from './waitpid.js';
export type { ProcessExit, WaitTarget } from './waitpid.js';
export { waitFor } from './wait-for.js';
export type { FdEvents } from './wait-for.js';
export { call, toPromise, useAbortSignal } from './call.js';
export { ThreadLocal } from './thread-local.js';
export { Semaphore } from './semaphore.js';
export { Mutex } from './mutex.js';
export { ConditionVariable } from './condition-variable.js';
export { Fifo } from './fifo.js';
export { RwLock } from './rw-lock.js';
export { setDebugStacks, where, whereAll } from './where.js';
export type { WhereEntry } from './where.js';
export { setLatencyNotifier, setLatencyWarning, setMaxSelfishActs, setSelfishness } from './settings.js';
export type { LatencyNotifier } from './settings.js';
export { setExceptionNotifier } from './exception-notifier.js';
export type { ExceptionNotifier } from './exception-notifier.js';
export { eventLoop, installSignalHandlers, setExit } from './event-loop.js';
export type { EventLoopOptions } from './event-loop.js';
export { profiler } from './profiler.js';
export type { ProfileEntry, ProfileReport } from './profiler.js';
export {
  CoroError,
  CoroutineShutdownError,
  DeadCoroutineError,
  InParallelError,
  Interrupted,
  InvalidArgumentError,
  NativeUnavailableError,
  NotInCoroutineError,
  NotOwnerError,
  ScheduleError,
  Shutdown,
  SimultaneousWaitError,
  TimeoutError,
  isCoroError,
} from './errors.js';
export type { ParallelResult } from './errors.js';
