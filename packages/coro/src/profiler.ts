// A coro-aware profiler: CPU time per function, charged only while its coroutine runs (shrapnel's).
import { performance } from 'node:perf_hooks';
import type { Coro } from './coro.js';
import { InvalidArgumentError } from './errors.js';
import type { Operation, Suspension } from './operation.js';
import { type Runnable, type SliceHooks, rt } from './runtime.js';

/** One line of a profile. */
export interface ProfileEntry {
  /** A coroutine's function name, a `profiled()` name, `<main>` (the run queue itself) or `<wait>` (time between drains). */
  name: string;
  /** How many times it was entered: coroutines started, or `profiled()` operations run. */
  calls: number;
  /** Time spent in it, excluding the `profiled()` operations it ran, in milliseconds. */
  exclusiveMs: number;
  /** Time spent in it, including what it ran, in milliseconds (recursion counted once). */
  inclusiveMs: number;
}

/** What profiler.stop() gives. */
export interface ProfileReport {
  /** From start() to stop(), in milliseconds. */
  totalMs: number;
  /** By exclusive time, largest first. */
  entries: ProfileEntry[];
  /** The report as a fixed-width table. */
  format(): string;
}

interface Frame {
  entry: ProfileEntry;
  start: number;
  childMs: number;
}

let entries: Map<string, ProfileEntry> | undefined;
const frames: Frame[] = [];
const seen = new WeakSet<Runnable>();
const depth = new Map<string, number>();
let startedAt = 0;
let drainStart = 0;
let slicesMs = 0;
let lastDrainEnd: number | undefined;

function entry(name: string): ProfileEntry {
  let found = entries!.get(name);
  if (found === undefined) entries!.set(name, (found = { name, calls: 0, exclusiveMs: 0, inclusiveMs: 0 }));
  return found;
}

function charge(name: string, ms: number): void {
  const found = entry(name);
  found.exclusiveMs += ms;
  found.inclusiveMs += ms;
}

function enter(name: string, start: number): void {
  const found = entry(name);
  depth.set(name, (depth.get(name) ?? 0) + 1);
  frames.push({ entry: found, start, childMs: 0 });
}

function leave(end: number): number {
  const frame = frames.pop()!;
  const elapsed = end - frame.start;
  const { entry: found } = frame;
  found.exclusiveMs += elapsed - frame.childMs;
  const level = depth.get(found.name)! - 1;
  depth.set(found.name, level);
  if (level === 0) found.inclusiveMs += elapsed;
  const parent = frames[frames.length - 1];
  if (parent) parent.childMs += elapsed;
  return elapsed;
}

const hooks: SliceHooks = {
  beforeDrain(start) {
    if (lastDrainEnd !== undefined) charge('<wait>', start - lastDrainEnd);
    drainStart = start;
    slicesMs = 0;
  },
  beforeSlice(co, start) {
    const { fnName } = co as Coro;
    if (!seen.has(co)) {
      seen.add(co);
      entry(fnName).calls++;
    }
    enter(fnName, start);
  },
  afterSlice(_co, end) {
    slicesMs += leave(end);
  },
  afterDrain(end) {
    charge('<main>', end - drainStart - slicesMs);
    lastDrainEnd = end;
  },
};

/** Wraps an operation so that each of its slices is timed under `name`. */
class Profiled<T> implements Iterator<Suspension, T, unknown> {
  readonly #name: string;
  readonly #op: Operation<T>;
  #inner: Iterator<Suspension, T, unknown> | undefined;

  constructor(name: string, op: Operation<T>) {
    this.#name = name;
    this.#op = op;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(value?: unknown): IteratorResult<Suspension, T> {
    return this.#timed((inner) => inner.next(value));
  }

  throw(error: unknown): IteratorResult<Suspension, T> {
    return this.#timed((inner) => {
      if (inner.throw) return inner.throw(error);
      throw error;
    });
  }

  return(value?: unknown): IteratorResult<Suspension, T> {
    return this.#timed((inner) => (inner.return ? inner.return(value as T) : { done: true, value: value as T }));
  }

  #timed(step: (inner: Iterator<Suspension, T, unknown>) => IteratorResult<Suspension, T>): IteratorResult<Suspension, T> {
    const first = this.#inner === undefined;
    const inner = (this.#inner ??= this.#op[Symbol.iterator]());
    if (entries === undefined || frames.length === 0) return step(inner);
    if (first) entry(this.#name).calls++;
    enter(this.#name, performance.now());
    try {
      return step(inner);
    } finally {
      leave(performance.now());
    }
  }
}

/**
 * Profiles coroutines (shrapnel's `coro.profiler`): while running, each coroutine's slices are timed and
 * charged to its function, and each `profiled(name, op)` to its name, so time spent suspended is never
 * counted. `<main>` holds the run queue's own time and `<wait>` the time between drains (libuv, I/O,
 * other code).
 *
 * @example
 * import { profiler, sleep, spawn, toPromise } from '@x/coro';
 * profiler.start();
 * await toPromise(profiler.profiled('nap', sleep(10)));
 * console.log(profiler.stop().format());
 */
export const profiler = {
  /** True between start() and stop(). */
  get running(): boolean {
    return entries !== undefined;
  },

  /** Starts profiling (restarting clears what was collected). */
  start(): void {
    entries = new Map();
    depth.clear();
    frames.length = 0;
    lastDrainEnd = undefined;
    startedAt = performance.now();
    rt.hooks = hooks;
  },

  /**
   * Stops profiling and gives the report.
   *
   * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` when the profiler is not running.
   */
  stop(): ProfileReport {
    if (entries === undefined) throw new InvalidArgumentError('profiler', 'running (call profiler.start() first)', 'stopped');
    rt.hooks = undefined;
    const list = [...entries.values()].sort((a, b) => b.exclusiveMs - a.exclusiveMs);
    entries = undefined;
    const totalMs = performance.now() - startedAt;
    return {
      totalMs,
      entries: list,
      format: () =>
        [
          `${'calls'.padStart(8)} ${'exclusive ms'.padStart(14)} ${'inclusive ms'.padStart(14)}  function`,
          ...list.map(
            (e) => `${String(e.calls).padStart(8)} ${e.exclusiveMs.toFixed(3).padStart(14)} ${e.inclusiveMs.toFixed(3).padStart(14)}  ${e.name}`,
          ),
          `total ${totalMs.toFixed(3)} ms`,
        ].join('\n'),
    };
  },

  /**
   * Runs `op`, charging the time of its slices to `name` (exclusive of the profiled operations inside it).
   * Costs nothing measurable while the profiler is stopped.
   */
  profiled<T>(name: string, op: Operation<T>): Operation<T> {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('name', 'a non-empty string', name);
    return new Profiled(name, op);
  },
};
