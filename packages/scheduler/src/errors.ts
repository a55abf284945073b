// One small class per failure, each with a stable `code`.

const brand = Symbol.for('@x/scheduler/error');

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function (${value.name || 'anonymous'})`;
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'bigint') return `${value}n (bigint)`;
  if (value === null || typeof value !== 'object') return `${String(value)} (${value === null ? 'null' : typeof value})`;
  return `${Object.prototype.toString.call(value)} (object)`;
}

/** The base of every error this package throws; `isSchedulerError` recognises it across installed copies. */
export class SchedulerError extends Error {
  /** A stable identifier of the failure, e.g. `ERR_X_SCHEDULER_CLOSED`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    Object.defineProperty(this, brand, { value: true });
  }
}
Object.defineProperty(SchedulerError.prototype, 'name', { value: 'SchedulerError', configurable: true });

/**
 * An argument was rejected at the boundary. `argument` names it, `expected` says what was wanted and
 * `value` is what was given.
 */
export class InvalidArgumentError extends SchedulerError {
  readonly argument: string;
  readonly expected: string;
  readonly value: unknown;

  constructor(argument: string, expected: string, value: unknown) {
    super('ERR_X_INVALID_ARG', `Expected \`${argument}\` to be ${expected}, got ${describe(value)}.`);
    this.argument = argument;
    this.expected = expected;
    this.value = value;
  }
}
Object.defineProperty(InvalidArgumentError.prototype, 'name', { value: 'InvalidArgumentError', configurable: true });

/**
 * The scheduler was closed: `defer`, `at`, `recur` and `sleep` no longer accept work, and a `sleep`
 * pending at `close()` rejects with this error.
 */
export class SchedulerClosedError extends SchedulerError {
  constructor(operation: string, pendingAtClose = false) {
    super(
      'ERR_X_SCHEDULER_CLOSED',
      pendingAtClose
        ? `The scheduler was closed while ${operation}() was pending. Abort the sleep with its signal before ` +
            'close() if the sleeper should end another way.'
        : `Scheduler.${operation}() was called after close(). Create a new Scheduler, or close this one only ` +
            'when nothing will schedule on it again.',
    );
  }
}
Object.defineProperty(SchedulerClosedError.prototype, 'name', { value: 'SchedulerClosedError', configurable: true });

/** `ManualClock.advance()` or `runAll()` was called from a task that the same clock is running. */
export class ClockReentryError extends SchedulerError {
  constructor(operation: string) {
    super(
      'ERR_X_SCHEDULER_CLOCK_REENTRY',
      `ManualClock.${operation}() was called from a task the clock is running. Advance the clock from the ` +
        'test body instead; a task that needs time to pass should schedule a follow-up task.',
    );
  }
}
Object.defineProperty(ClockReentryError.prototype, 'name', { value: 'ClockReentryError', configurable: true });

/** `ManualClock.runAll()` fired more timers than its limit: something keeps rescheduling itself (a recurrence). */
export class RunAllLimitError extends SchedulerError {
  /** How many timers had fired when `runAll` gave up. */
  readonly limit: number;

  constructor(limit: number) {
    super(
      'ERR_X_SCHEDULER_RUN_ALL_LIMIT',
      `ManualClock.runAll() fired ${limit} timers and work is still pending: a recurrence or a task that ` +
        'reschedules itself never lets the clock run dry. Cancel recurrences first, use advance(ms), or pass a higher limit.',
    );
    this.limit = limit;
  }
}
Object.defineProperty(RunAllLimitError.prototype, 'name', { value: 'RunAllLimitError', configurable: true });

/** The rejection of `Scheduler.sleep()` when its signal aborts; `cause` is the signal's reason. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';

  constructor(cause: unknown) {
    super('The sleep was aborted by its AbortSignal.', { cause });
  }
}
Object.defineProperty(AbortError.prototype, 'name', { value: 'AbortError', configurable: true });

/** True for any error thrown by any installed copy of @x/scheduler (a `Symbol.for` brand, not `instanceof`). */
export function isSchedulerError(value: unknown): value is SchedulerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}
