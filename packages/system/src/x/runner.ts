// The runner: a bounded-parallel queue over targets, in rolling batches. Each target connects (its
// chain of contexts, tried again after a connection failure that another try may cure), does the
// command's work, and has its contexts shut down before its slot goes to the next target.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from '@x/remote';
import { connect, type Context, type HopDefaults } from './connect.js';
import type { Display } from './display.js';
import { CancelledError, TargetTimeoutError } from './errors.js';
import { type Closable, SharedHops } from './shared-hops.js';
import type { Target } from './targets.js';

/** How one target ended. */
export interface Outcome {
  target: Target;
  status: 'ok' | 'failed' | 'timeout' | 'cancelled';
  result?: unknown;
  error?: unknown;
  durationMs: number;
  /** How many times its chain was connected: 1 + the retries; 0 for a target never started. */
  attempts: number;
}

/** What a command does on one target, once its context is up. */
export type Work = (context: Context, target: Target, session: Session) => Promise<unknown>;

/** Per-target facts the work may use. */
export interface Session {
  /** Aborted on the target's timeout, on --fail-fast and on Ctrl+C. */
  signal: AbortSignal;
  /** How long connecting the chain took (the last attempt), in milliseconds. */
  connectMs: number;
  router: Router;
  display: Display;
}

export interface RunOptions {
  router: Router;
  display: Display;
  parallel: number;
  timeoutMs?: number;
  failFast: boolean;
  /** Targets per batch (--batch): a batch starts once every target of the one before it has ended. */
  batchSize?: number;
  /** --max-fail-percent: once more than this share of a batch has failed, no more targets start. */
  maxFailPercent?: number;
  /**
   * --retries: how many times a target whose chain failed to connect is connected again. Unset:
   * only transient refusals (an error with `transient: true`) are, {@link defaultTransientRetries} times.
   */
  retries?: number;
  /** What the command line sets for every hop (-i, -o, --node-path, passwords...). */
  hopDefaults?: HopDefaults;
  /** Aborted when the whole command is interrupted. */
  signal: AbortSignal;
  onStart?: (target: Target) => void;
  /** A connection attempt failed and is tried again after `delayMs`; `attempt` is the one that failed (1 first). */
  onRetry?: (target: Target, error: unknown, attempt: number, delayMs: number) => void;
  /** --max-fail-percent was exceeded (`why` says how): no more targets start. Called once. */
  onHalt?: (why: string) => void;
  /** `started`: whether the target had been started (onStart) before it ended. */
  onDone?: (outcome: Outcome, started: boolean) => void;
}

/** How long a context may take to shut down gracefully before it is killed, in milliseconds. */
const shutdownTimeoutMs = 2_000;

/** How many times a transient refusal is retried without --retries (sshd's MaxStartups drops a few of many logins at once). */
export const defaultTransientRetries = 3;

/** The first retry waits 250 to 500 ms, each next one twice that, up to 8 s: spread out, so that refused logins do not come back together. */
const backoffBaseMs = 500;
const backoffMaxMs = 8_000;

/**
 * Connection failures another try cannot cure and may punish: a refused password counts towards
 * the account's lockout, a refused key towards fail2ban's ban, a refused host key stays refused.
 */
const finalCodes = new Set(['ERR_X_REMOTE_PASSWORD', 'ERR_X_REMOTE_AUTH', 'ERR_X_REMOTE_HOST_KEY', 'ERR_X_METHOD_UNAVAILABLE']);

/**
 * Runs `work` on every target, at most `parallel` at a time, batch after batch, in the targets' order.
 *
 * @returns one outcome per target, in the targets' order.
 */
export async function runTargets(targets: Target[], work: Work, options: RunOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(targets.length);
  const failFast = new AbortController();
  const stop = AbortSignal.any([options.signal, failFast.signal]);
  const batchSize = options.batchSize ?? targets.length;
  const batches = Math.ceil(targets.length / batchSize);
  // Set once a batch's failures passed --max-fail-percent: nothing starts after that.
  let halted: CancelledError | undefined;
  // Hops that several targets' chains begin with are started once (a bastion, the ssh login before sudo).
  const shared = new SharedHops(targets.map((target) => target.hops));
  for (let first = 0; first < targets.length; first += batchSize) {
    const end = Math.min(first + batchSize, targets.length);
    let next = first;
    let failed = 0;
    const worker = async () => {
      while (next < end) {
        const index = next++;
        const target = targets[index]!;
        const cancelled = halted ?? (stop.aborted ? cancelReason(stop) : undefined);
        if (cancelled) {
          outcomes[index] = { target, status: 'cancelled', error: cancelled, durationMs: 0, attempts: 0 };
          options.onDone?.(outcomes[index], false);
          continue;
        }
        options.onStart?.(target);
        const outcome = await runOne(target, work, options, stop, shared);
        outcomes[index] = outcome;
        if (outcome.status === 'failed' || outcome.status === 'timeout') failed++;
        let tipped: string | undefined;
        if (options.maxFailPercent !== undefined && !halted && failed * 100 > options.maxFailPercent * (end - first)) {
          const why = `${failed} of ${end - first} targets${batches > 1 ? ` of batch ${first / batchSize + 1} of ${batches}` : ''} failed, more than --max-fail-percent ${options.maxFailPercent}`;
          halted = new CancelledError(`not started: ${why}`, 'max-fail-percent');
          tipped = why;
        }
        if (outcome.status !== 'ok' && options.failFast && !failFast.signal.aborted) {
          failFast.abort(new CancelledError(`${target.name} failed and --fail-fast is on`, 'fail-fast'));
        }
        options.onDone?.(outcome, true);
        // Said after the failure that tipped it.
        if (tipped !== undefined) options.onHalt?.(tipped);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallel, end - first) }, worker));
  }
  return outcomes;
}

function cancelReason(signal: AbortSignal): unknown {
  return signal.reason instanceof CancelledError ? signal.reason : new CancelledError('the command was interrupted', 'interrupted');
}

async function runOne(target: Target, work: Work, options: RunOptions, stop: AbortSignal, shared: SharedHops): Promise<Outcome> {
  const started = performance.now();
  const timeout = new AbortController();
  const signal = AbortSignal.any([stop, timeout.signal]);
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(new TargetTimeoutError(options.timeoutMs!)), options.timeoutMs);
  const contexts: Closable[] = [];
  let attempts = 0;
  const task = (async () => {
    const connectOptions = {
      signal,
      shared,
      ...(options.timeoutMs === undefined ? {} : { connectTimeoutMs: options.timeoutMs }),
      ...(options.hopDefaults === undefined ? {} : { defaults: options.hopDefaults }),
    };
    for (;;) {
      attempts++;
      const connecting = performance.now();
      let context: Context;
      try {
        context = await connect(options.router, target, connectOptions, contexts);
      } catch (error) {
        if (signal.aborted || !retryable(error, attempts, options.retries)) throw error;
        // What came up of the chain (the bastion of bastion/db1) goes too: the next try starts afresh.
        await shutdownAll(contexts);
        const delayMs = backoffMs(attempts);
        options.onRetry?.(target, error, attempts, delayMs);
        await sleep(delayMs, undefined, { signal });
        continue;
      }
      signal.throwIfAborted();
      return work(context, target, { signal, connectMs: performance.now() - connecting, router: options.router, display: options.display });
    }
  })();
  try {
    const result = await untilAborted(task, signal);
    return { target, status: 'ok', result, durationMs: performance.now() - started, attempts };
  } catch (error) {
    const reason = signal.aborted ? signal.reason : error;
    const status = reason instanceof TargetTimeoutError ? 'timeout' : reason instanceof CancelledError || stop.aborted ? 'cancelled' : 'failed';
    return { target, status, error: status === 'cancelled' ? cancelReason(stop) : reason, durationMs: performance.now() - started, attempts };
  } finally {
    clearTimeout(timer);
    await shutdownAll(contexts);
    // A connection still under way when the target was given up ends later: shut it down then.
    void task.then(
      () => shutdownAll(contexts),
      () => shutdownAll(contexts),
    );
  }
}

/**
 * Whether a connection that failed on its `attempt`th try is tried again. An error that says it is
 * `transient` is, up to --retries times or {@link defaultTransientRetries} without it; with --retries,
 * any other connection failure too (a ConnectError's `transient: false` only says a retry is not
 * likely to help at once: a refused port may open), except {@link finalCodes}.
 */
function retryable(error: unknown, attempt: number, retries: number | undefined): boolean {
  const { transient, code } = (error ?? {}) as { transient?: unknown; code?: unknown };
  if (retries === undefined) return transient === true && attempt <= defaultTransientRetries;
  return attempt <= retries && (transient === true || !finalCodes.has(code as string));
}

/** Exponential backoff with jitter: between half and all of base × 2^(attempt - 1), capped. */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function untilAborted<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Shuts the contexts of a chain down, the last first (a context's children go with it anyway); a shared hop is only let go of. */
async function shutdownAll(contexts: Closable[]): Promise<void> {
  const taken = contexts.splice(0).reverse();
  for (const context of taken) await context.shutdown({ timeoutMs: shutdownTimeoutMs }).catch(() => {});
}
