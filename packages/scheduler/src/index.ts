/**
 * @x/scheduler: deferred and recurring tasks at million-task scale, on a hierarchical timing wheel driven
 * by one Node timer.
 *
 * @example
 * import { Scheduler } from '@x/scheduler';
 * const scheduler = new Scheduler();
 * scheduler.defer(100, () => console.log('100 ms later'));
 */
export { Scheduler } from './scheduler.js';
export type { RecurOptions, SchedulerOptions, SleepOptions } from './scheduler.js';
export { Task } from './task.js';
export { systemClock } from './clock.js';
export type { Clock, ClockTimer } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { MAX_DELAY_MS } from './validate.js';
export {
  AbortError,
  ClockReentryError,
  InvalidArgumentError,
  RunAllLimitError,
  SchedulerClosedError,
  SchedulerError,
  isSchedulerError,
} from './errors.js';
