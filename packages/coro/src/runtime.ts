// The trampoline: one run queue, drained synchronously. No Promise and no microtask per yield; each drain
// resumes a bounded number of coroutines, then leaves the rest to setImmediate so libuv can run.
import { performance } from 'node:perf_hooks';
import { type CoarseClock, clockBusy, clockIdle, startCoarseClock } from './clock.js';
import { type Describable, describe } from './describe.js';
import { type Linked, LiveThreads } from './live-threads.js';

/** A coroutine as the run queue sees it (internal). */
export interface Runnable extends Linked, Describable {
  readonly id: number;
  name: string;
  /** One step: resume the generator until it parks or ends. */
  run(): void;
  /** Called after the step with the time it ended, for where() and the latency warning. */
  parkedAt: number;
}

/** setLatencyNotifier()'s notifier as the runtime calls it (every Runnable it runs is a Coro). */
export type RunnableNotifier = (report: { coro: Runnable; durationMs: number; where: string }) => void;

/** Hooks the profiler installs around every slice (internal). */
export interface SliceHooks {
  beforeDrain(start: number): void;
  beforeSlice(co: Runnable, start: number): void;
  afterSlice(co: Runnable, end: number): void;
  afterDrain(end: number): void;
}

/** How many coroutines one drain resumes before it yields to libuv (js-csp: 1024, Effect: 2048). */
export const DRAIN_BUDGET = 1024;

/** Process-wide state, shared under a global symbol so two installed copies drive one queue. */
export class Runtime {
  /** The run queue: a ring of power-of-two capacity; `head` is the next to run, `tail` the next free slot. */
  queue: (Runnable | undefined)[] = new Array<Runnable | undefined>(1024).fill(undefined);
  head = 0;
  tail = 0;
  draining = false;
  microtaskQueued = false;
  immediateQueued = false;
  /** Set while timer callbacks wake coroutines: kick() then leaves the queue to one microtask drain. */
  kicksHeld = false;
  /** The coroutine whose slice is running, if any. */
  current: Runnable | undefined = undefined;
  threads = new LiveThreads<Runnable>();
  nextId = 1;
  /** Ids have wrapped around at least once, so a new id may still be in use. */
  wrapped = false;
  /** 0.2 s times the factor of setLatencyWarning(); Infinity when disabled. */
  latencyThresholdMs = 200;
  latencyFactor = 1;
  latencyNotifier: RunnableNotifier | undefined = undefined;
  selfishness = 4;
  debugStacks = false;
  hooks: SliceHooks | undefined = undefined;
  /** The coarse clock word (false: not started yet; undefined: the addon is not there). */
  clock: CoarseClock | undefined | false = false;
  /** Called when a coroutine dies, with the number still alive (eventLoop listens). */
  onDeath: ((alive: number) => void) | undefined = undefined;
}

const key = Symbol.for('@x/coro');
const global = globalThis as unknown as Record<symbol, Runtime | undefined>;
/** The one runtime of this process. */
export const rt: Runtime = (global[key] ??= new Runtime());

/** A fresh coroutine id: counts up from 1, wraps at 2^31-1, skips ids still alive (shrapnel's rule). */
export function nextId(): number {
  for (;;) {
    const id = rt.nextId;
    if (id >= 0x7fffffff) {
      rt.nextId = 1;
      rt.wrapped = true;
    } else rt.nextId = id + 1;
    if (!rt.wrapped || !rt.threads.has(id)) return id;
  }
}

/**
 * Appends a coroutine to the run queue; the caller has set what it resumes with. A ring, so entries are
 * never moved: an array used as a queue has to splice off its resumed head now and then, and is
 * reallocated after every drain that empties it.
 */
export function enqueue(co: Runnable): void {
  const queue = rt.queue;
  queue[rt.tail] = co;
  rt.tail = (rt.tail + 1) & (queue.length - 1);
  if (rt.tail === rt.head) grow(queue);
}

/** Doubles a full ring, unrolling it so that head is 0 again. */
function grow(queue: (Runnable | undefined)[]): void {
  const head = rt.head;
  const grown = queue.slice(head).concat(queue.slice(0, head));
  rt.head = 0;
  rt.tail = grown.length;
  grown.length *= 2;
  rt.queue = grown.fill(undefined, rt.tail);
}

/** Runs the queue now unless a drain is already on the stack (or timer wakeups are being batched): used by wakeups from I/O and promises. */
export function kick(): void {
  if (!rt.draining && !rt.kicksHeld) drain();
}

/**
 * Runs `wake(arg)` for a timer callback without draining the queue at once: the queue runs from a
 * microtask, which Node runs as soon as the scheduler's timer callback returns. A batch of timers due
 * together (10k sleeps ending in the same tick) then costs one drain instead of one per timer, and the
 * woken coroutines still run in the order their timers fired, before any I/O.
 */
export function wakeFromTimer<A>(wake: (arg: A) => void, arg: A): void {
  const held = rt.kicksHeld;
  rt.kicksHeld = true;
  try {
    wake(arg);
  } finally {
    rt.kicksHeld = held;
    soon(); // even if an abort listener run by the wakeup threw: what it queued still runs
  }
}

/** Runs the queue soon (a microtask), for work queued from plain code, e.g. spawn() at the top level. */
export function soon(): void {
  if (!rt.draining && !rt.microtaskQueued) {
    rt.microtaskQueued = true;
    queueMicrotask(drainFromMicrotask);
  }
}

function drainFromMicrotask(): void {
  rt.microtaskQueued = false;
  drain();
}

function drainFromImmediate(): void {
  rt.immediateQueued = false;
  drain();
}

function reportLatency(co: Runnable, durationMs: number): void {
  const where = describe(co, rt.clock);
  const notifier = rt.latencyNotifier;
  if (notifier) {
    try {
      notifier({ coro: co, durationMs, where });
      return;
    } catch (error) {
      process.stderr.write(`@x/coro: the latency notifier threw: ${String(error)}\n`);
    }
  }
  process.stderr.write(
    `${new Date().toISOString()} High Latency: (${(durationMs / 1000).toFixed(3)}s) for coroutine ${co.id} ` +
      `${JSON.stringify(co.name)}, now ${where}\n`,
  );
}

/** Resumes queued coroutines, each for one slice, until the queue is empty or the budget is spent. */
export function drain(): void {
  if (rt.draining) return;
  // Before `draining` is set: a broken @x/native throws here, and the queue must still drain later.
  if (rt.clock === false) rt.clock = startCoarseClock();
  rt.draining = true;
  const clock = rt.clock;
  if (clock !== undefined) clockBusy(clock);
  try {
    const hooks = rt.hooks;
    if (hooks !== undefined) drainProfiled(hooks);
    else if (clock !== undefined && rt.latencyThresholdMs >= COARSE_THRESHOLD_MS) drainTimed(clock.time, clock.offset);
    else if (rt.latencyThresholdMs === Infinity) drainUntimed();
    else drainTimed(undefined, 0);
  } finally {
    if (clock !== undefined) clockIdle(clock);
    if (rt.head !== rt.tail && !rt.immediateQueued) {
      rt.immediateQueued = true;
      setImmediate(drainFromImmediate);
    }
    rt.draining = false;
  }
}

/** Takes the next coroutine off the run queue; the caller checked it is not empty. */
function dequeue(): Runnable {
  const queue = rt.queue;
  const head = rt.head;
  const co = queue[head]!;
  queue[head] = undefined;
  rt.head = (head + 1) & (queue.length - 1);
  return co;
}

/**
 * The shortest latency threshold timed with the coarse clock: it is up to a millisecond behind, so a
 * shorter threshold is timed with performance.now() (and the latency warning off, with the coarse clock).
 */
const COARSE_THRESHOLD_MS = 5;

// The clock is read once per slice: the latency warning names the coroutine that blocked the loop. With
// the coarse clock word that read is a memory load; without it, performance.now().
function drainTimed(time: Float64Array | undefined, offset: number): void {
  let budget = DRAIN_BUDGET;
  let before = time !== undefined ? time[0]! + offset : performance.now();
  while (rt.head !== rt.tail) {
    const co = dequeue();
    co.run();
    const after = time !== undefined ? time[0]! + offset : performance.now();
    co.parkedAt = after;
    if (after - before > rt.latencyThresholdMs) reportLatency(co, after - before);
    before = after;
    if (--budget === 0) break;
  }
}

// The same with the profiler's hooks around every slice (kept apart so the common drain pays nothing for them).
function drainProfiled(hooks: SliceHooks): void {
  let budget = DRAIN_BUDGET;
  let before = performance.now();
  hooks.beforeDrain(before);
  while (rt.head !== rt.tail) {
    const co = dequeue();
    hooks.beforeSlice(co, before);
    co.run();
    const after = performance.now();
    hooks.afterSlice(co, after);
    co.parkedAt = after;
    if (after - before > rt.latencyThresholdMs) reportLatency(co, after - before);
    before = after;
    if (--budget === 0) break;
  }
  hooks.afterDrain(before);
}

// Latency warning off, no profiler and no coarse clock: one clock read per drain (where() then counts from the drain's start).
function drainUntimed(): void {
  let budget = DRAIN_BUDGET;
  const start = performance.now();
  while (rt.head !== rt.tail) {
    const co = dequeue();
    co.run();
    co.parkedAt = start;
    if (--budget === 0) break;
  }
}
