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
}

/** Times ours against the peer, alternately in one process, and records medians and their ratio. */
export declare function compare(options: CompareOptions): Promise<BenchRecord>;

/** Formats a duration given in milliseconds. */
export declare function formatDuration(ms: number): string;
