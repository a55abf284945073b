// The runner: a bounded-parallel queue over targets. Each target connects (its chain of contexts),
// does the command's work, and has its contexts shut down before its slot goes to the next target.
import { performance } from 'node:perf_hooks';
import type { Router } from '@x/remote';
import { connect, type Context } from './connect.js';
import type { Display } from './display.js';
import { CancelledError, TargetTimeoutError } from './errors.js';
import type { Target } from './targets.js';

/** How one target ended. */
export interface Outcome {
  target: Target;
  status: 'ok' | 'failed' | 'timeout' | 'cancelled';
  result?: unknown;
  error?: unknown;
  durationMs: number;
}

/** What a command does on one target, once its context is up. */
export type Work = (context: Context, target: Target, session: Session) => Promise<unknown>;

/** Per-target facts the work may use. */
export interface Session {
  /** Aborted on the target's timeout, on --fail-fast and on Ctrl+C. */
  signal: AbortSignal;
  /** How long connecting the chain took, in milliseconds. */
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
  /** Aborted when the whole command is interrupted. */
  signal: AbortSignal;
  onStart?: (target: Target) => void;
  /** `started`: whether the target had been started (onStart) before it ended. */
  onDone?: (outcome: Outcome, started: boolean) => void;
}

/** How long a context may take to shut down gracefully before it is killed, in milliseconds. */
const shutdownTimeoutMs = 2_000;

/**
 * Runs `work` on every target, at most `parallel` at a time, in the targets' order.
 *
 * @returns one outcome per target, in the targets' order.
 */
export async function runTargets(targets: Target[], work: Work, options: RunOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(targets.length);
  const failFast = new AbortController();
  const stop = AbortSignal.any([options.signal, failFast.signal]);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const index = next++;
      const target = targets[index]!;
      if (stop.aborted) {
        outcomes[index] = { target, status: 'cancelled', error: cancelReason(stop), durationMs: 0 };
        options.onDone?.(outcomes[index], false);
        continue;
      }
      options.onStart?.(target);
      const outcome = await runOne(target, work, options, stop);
      outcomes[index] = outcome;
      if (outcome.status !== 'ok' && options.failFast && !failFast.signal.aborted) {
        failFast.abort(new CancelledError(`${target.name} failed and --fail-fast is on`));
      }
      options.onDone?.(outcome, true);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel, targets.length) }, worker));
  return outcomes;
}

function cancelReason(signal: AbortSignal): unknown {
  return signal.reason instanceof CancelledError ? signal.reason : new CancelledError('the command was interrupted');
}

async function runOne(target: Target, work: Work, options: RunOptions, stop: AbortSignal): Promise<Outcome> {
  const started = performance.now();
  const timeout = new AbortController();
  const signal = AbortSignal.any([stop, timeout.signal]);
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(new TargetTimeoutError(options.timeoutMs!)), options.timeoutMs);
  const contexts: Context[] = [];
  const task = (async () => {
    const connectOptions = options.timeoutMs === undefined ? { signal } : { signal, connectTimeoutMs: options.timeoutMs };
    const context = await connect(options.router, target, connectOptions, contexts);
    signal.throwIfAborted();
    return work(context, target, { signal, connectMs: performance.now() - started, router: options.router, display: options.display });
  })();
  try {
    const result = await untilAborted(task, signal);
    return { target, status: 'ok', result, durationMs: performance.now() - started };
  } catch (error) {
    const reason = signal.aborted ? signal.reason : error;
    const status = reason instanceof TargetTimeoutError ? 'timeout' : reason instanceof CancelledError || stop.aborted ? 'cancelled' : 'failed';
    return { target, status, error: status === 'cancelled' ? cancelReason(stop) : reason, durationMs: performance.now() - started };
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

function untilAborted<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Shuts the contexts of a chain down, the last first (a context's children go with it anyway). */
async function shutdownAll(contexts: Context[]): Promise<void> {
  const taken = contexts.splice(0).reverse();
  for (const context of taken) await context.shutdown({ timeoutMs: shutdownTimeoutMs }).catch(() => {});
}
