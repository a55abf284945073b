// The one timing wheel every sleep and timeout of @x/coro uses.
import { Scheduler } from '@x/scheduler';
import { notifyException } from './exception-notifier.js';

let scheduler: Scheduler | undefined;

/** The shared Scheduler (created on first use; pending timers keep the process alive, as Node's do). */
export function timers(): Scheduler {
  return (scheduler ??= new Scheduler({
    onError: (error, taskName) => notifyException({ id: 0, name: `timer ${taskName}` }, error),
  }));
}
