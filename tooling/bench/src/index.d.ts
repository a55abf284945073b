/** One side of a comparison: a function timed once per iteration. */
export interface BenchSide {
  /** For the peer: the package compared with (e.g. 'signal-exit'). */
  name?: string;
  label?: string;
  fn: () => unknown | Promise<unknown>;
}

export interface CompareOptions {
  /** The case, as it appears in bench/RESULTS.md. */
  name: string;
  ours: BenchSide;
  peer: BenchSide & { name: string };
  /** How many alternating rounds to run (8). */
  rounds?: number;
  /** Time per task per round, in milliseconds (150). */
  timeMs?: number;
  /** Warm-up per task per round, in milliseconds (50). */
  warmupMs?: number;
}

export interface BenchRecord {
  case: string;
  /** Median time of one iteration of ours, in milliseconds. */
  ours: number;
  /** Median time of one iteration of the peer's, in milliseconds. */
  peer: number;
  peerName: string;
  /** peer / ours: above 1 means x is faster. */
  ratio: number;
  /** What ours and peer are: milliseconds when absent. */
  unit?: 'ms' | 'bytes';
  /** The 1-minute load average when the case started and when it ended ("0.42 to 1.10"). */
  load?: string;
}

/** Below this 1-minute load average a figure is a result. */
export declare const QUIET_LOAD: number;

/**
 * Waits (up to `limitMs`, default 3 minutes or X_BENCH_SETTLE_MS) for the load average to fall below
 * QUIET_LOAD and returns the load the case starts at. compare and compareBatches call it first.
 */
export declare function settle(limitMs?: number): Promise<number>;

/** Times ours against the peer, alternately in one process, and records medians and their ratio. */
export declare function compare(options: CompareOptions): Promise<BenchRecord>;

/** One side of a batch comparison: runs one batch and returns its figure (ms, or bytes). */
export interface BatchSide {
  name: string;
  run: () => number | Promise<number>;
}

export interface CompareBatchesOptions {
  /** The case, as it appears in bench/RESULTS.md. */
  name: string;
  /** What a figure is: milliseconds (default) or bytes per item. */
  unit?: 'ms' | 'bytes';
  ours: Omit<BatchSide, 'name'> & { name?: string };
  peers: BatchSide[];
  /** Measured rounds, each running one batch of every side (5). */
  rounds?: number;
  /** Unmeasured batches of each side first (1). */
  warmup?: number;
  /** Extra text after a figure in the console line (e.g. a throughput). */
  describe?: (figure: number) => string;
}

/** Compares whole batches alternately, round after round, and records the medians, one record per peer. */
export declare function compareBatches(options: CompareBatchesOptions): Promise<BenchRecord[]>;

/**
 * Records figures the caller gathered (one per round for each side), one record per peer with the median
 * of each side: a second figure from the runs of a compareBatches case, as the CPU time of timed commands.
 */
export declare function recordFigures(options: {
  name: string;
  unit?: 'ms' | 'bytes';
  ours: number[];
  peers: { name: string; figures: number[] }[];
  describe?: (figure: number) => string;
  /** The load when the case started (settle()'s result); the current load when absent. */
  load?: number;
}): BenchRecord[];

/** A batch for compareBatches: runs `fn` once and gives the milliseconds it took. */
export declare function timed(fn: () => unknown | Promise<unknown>): () => Promise<number>;

/** CPU time (user + system) of this process so far, in milliseconds. */
export declare function cpuMs(): number;

/** JS heap plus ArrayBuffer memory after full collections, in bytes. */
export declare function heapBytes(): number;

/** Formats a duration given in milliseconds. */
export declare function formatDuration(ms: number): string;

/**
 * Loads a peer that is an optional dependency of the harness (node-pty), or prints why `skipped` (the
 * case that needs it) is skipped and gives null. `T` is the part of the peer's API the caller uses.
 */
export declare function optionalPeer<T>(name: 'node-pty', skipped: string): Promise<T | null>;
