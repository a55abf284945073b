// The state of the current apply(): one holder under globalThis[Symbol.for('@x/ops/run')] (where every x
// package keeps its process-wide state), made by whichever copy of @x/ops loads first, so a site's copy and
// x apply's copy see the same run when a context holds both.
//
// A plain holder, not an AsyncLocalStorage: on Node 20 the first AsyncLocalStorage.run() installs promise
// hooks for the rest of the process, and every promise after it (the context's own messaging, each fs call)
// pays them. Measured on the ops benchmark: about 40 ms more CPU per target, a third of the context's
// whole life, and x apply 1.35x the hand-written x run instead of within 1.1x. The price is one apply()
// at a time per process, which is what x apply runs in each target's context.
import { ApplyRunningError } from './errors.js';
import type { Facts } from './facts.js';

/** The texts before and after a content change; renderers make the unified diff. */
export interface Diff {
  /** The file changed. */
  path: string;
  before: string;
  after: string;
}

/** What every resource returns. */
export interface ResourceResult {
  /** Whether it changed something (under check mode: whether it would). */
  changed: boolean;
  /** What it did or would do, e.g. `['created']`, `['content', 'mode 0640']`; empty when nothing. */
  actions: string[];
  /** Before and after texts of a content change, when the run asks for diffs. */
  diff?: Diff;
}

/** One resource's outcome, as apply() reports it when the resource completes. */
export interface ResourceEvent {
  /** The resource's kind: `'file'`, `'directory'`, `'line'`, `'command'`, `'user'`, `'pkg'`... */
  resource: string;
  /** What it manages: a path, a user name, a package, a command line. */
  name: string;
  status: 'ok' | 'changed' | 'failed';
  changed: boolean;
  actions: string[];
  diff?: Diff;
  /** Set when `status` is `'failed'`. */
  error?: { name: string; code?: string; message: string };
  /** How long it took, in milliseconds. */
  durationMs: number;
}

/** How apply() runs a site. */
export interface ApplyOptions {
  /** Change nothing; every resource reports what it would change. */
  check?: boolean;
  /** Give `diff` on results and events for content changes (file, line, block). */
  diff?: boolean;
  /** Called as each resource completes; an exception it throws stops the site. */
  onEvent?: (event: ResourceEvent) => void;
}

/** Counts of resources by outcome. */
export interface ApplySummary {
  ok: number;
  changed: number;
  failed: number;
}

/** @internal */
export interface RunState {
  check: boolean;
  diff: boolean;
  onEvent: ((event: ResourceEvent) => void) | undefined;
  summary: ApplySummary;
  facts?: Promise<Facts>;
  /** Under check mode, the accounts a resource would have created (`user:app`, `group:app`): later resources may name them. */
  planned?: Set<string>;
}

const key = Symbol.for('@x/ops/run');
const holder = ((globalThis as Record<symbol, unknown>)[key] ??= { run: undefined }) as { run: RunState | undefined };

/** @internal The apply() running in this process, if any. */
export function currentRun(): RunState | undefined {
  return holder.run;
}

/** Whether the calling code runs inside `apply()` with `check: true`: resources change nothing. */
export function isCheckMode(): boolean {
  return holder.run?.check === true;
}

/**
 * Runs `site` as one apply: resources called while it runs (in it, or in functions it calls or awaits)
 * report an event each to `options.onEvent`, honour check mode, and share one `facts()`. One apply at a
 * time per process: a resource cannot tell which of two overlapping applies called it.
 *
 * @example
 * import { apply, file } from '@x/ops';
 * const summary = await apply(async () => { await file('/tmp/hello', { content: 'hi\n' }); }, { check: true });
 * console.log(summary); // { ok: 0, changed: 1, failed: 0 }
 * @returns the counts of ok, changed and failed resources.
 * @throws the site's error, after the failed resource's event was reported: a failing resource stops the site;
 *   ApplyRunningError (`ERR_X_OPS_APPLY_RUNNING`) when another apply() is running in this process.
 */
export async function apply(site: () => unknown, options: ApplyOptions = {}): Promise<ApplySummary> {
  if (holder.run !== undefined) throw new ApplyRunningError();
  const state: RunState = {
    check: options.check === true,
    diff: options.diff === true,
    onEvent: options.onEvent,
    summary: { ok: 0, changed: 0, failed: 0 },
  };
  holder.run = state;
  try {
    await site();
  } finally {
    holder.run = undefined;
  }
  return { ...state.summary };
}

/** What a resource's work sees of the run. */
export interface Mode {
  check: boolean;
  diff: boolean;
}

/**
 * @internal Runs one resource: `work` reads the state and changes only what differs (nothing under check
 * mode); the outcome is counted and reported as an event.
 */
export async function perform<R extends ResourceResult>(resource: string, name: string, work: (mode: Mode) => Promise<R>): Promise<R> {
  const run = holder.run;
  const started = performance.now();
  let result: R;
  try {
    result = await work({ check: run?.check === true, diff: run?.diff === true });
  } catch (error) {
    if (run !== undefined) {
      run.summary.failed++;
      const e = error as { name?: unknown; code?: unknown; message?: unknown };
      const shown = { name: typeof e?.name === 'string' ? e.name : 'Error', message: typeof e?.message === 'string' ? e.message : String(error) };
      run.onEvent?.({ resource, name, status: 'failed', changed: false, actions: [], error: typeof e?.code === 'string' ? { ...shown, code: e.code } : shown, durationMs: performance.now() - started });
    }
    throw error;
  }
  if (run !== undefined) {
    if (result.changed) run.summary.changed++;
    else run.summary.ok++;
    const event: ResourceEvent = { resource, name, status: result.changed ? 'changed' : 'ok', changed: result.changed, actions: result.actions, durationMs: performance.now() - started };
    if (result.diff !== undefined) event.diff = result.diff;
    run.onEvent?.(event);
  }
  return result;
}
