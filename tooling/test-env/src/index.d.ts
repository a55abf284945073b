/** What this process holds at one moment: open fds (fd -> target), live children (pid -> command), thread count. */
export interface ResourceSnapshot {
  fds: Map<number, string>;
  children: Map<number, string>;
  threads: number;
}

export interface LeakCheckOptions {
  /** How long to wait for fds to close and children to exit before calling them leaked, in milliseconds (2000). */
  settleMs?: number;
}

/** Takes a snapshot of the fds, child processes and threads of this process. */
export declare function takeSnapshot(): Promise<ResourceSnapshot>;

/** Rejects, naming each leaked fd, child and thread, if anything opened since `before` outlives `settleMs`. */
export declare function assertNoLeaks(before: ResourceSnapshot, options?: LeakCheckOptions): Promise<void>;

/** Registers a leak check around every test of the calling file. */
export declare function useLeakCheck(options?: LeakCheckOptions): void;
