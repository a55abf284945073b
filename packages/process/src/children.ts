// The live children of this process started by spawn(), by pid: ProcessMonitor hands out
// their statuses from here, since the watch that reaps a child is the only one that sees it.
import type { ExitStatus } from './exit-result.js';

export interface TrackedChild {
  readonly exited: Promise<ExitStatus>;
}

const key = Symbol.for('@x/process.children');

/** Shared by every loaded copy of this package, so any copy's ProcessMonitor finds any copy's children. */
export const liveChildren: Map<number, TrackedChild> = ((globalThis as { [key]?: Map<number, TrackedChild> })[key] ??= new Map());
