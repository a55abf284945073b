// The live children of this process started by spawn(), by pid: ProcessMonitor hands out
// their statuses from here, since the watch that reaps a child is the only one that sees it.
import type { ExitStatus } from './exit-result.js';

export interface TrackedChild {
  readonly exited: Promise<ExitStatus>;
}

export const liveChildren = new Map<number, TrackedChild>();
