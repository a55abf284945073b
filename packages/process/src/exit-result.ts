/** How a process ended. */
export interface ExitStatus {
  /** The exit status when it exited, otherwise null. */
  code: number | null;
  /** The signal that killed it (`'SIGTERM'`), otherwise null. */
  signal: NodeJS.Signals | null;
}

/** How a child of `spawn` ended, and why when this package ended it. */
export interface ExitResult extends ExitStatus {
  pid: number;
  /** The `timeout` option ran out and the child was sent `killSignal`. */
  timedOut: boolean;
  /** The `signal` option's AbortSignal aborted and the child was sent `killSignal`. */
  aborted: boolean;
  /** It outlived `forceKillAfterMs` after `killSignal` and was sent SIGKILL. */
  forceKilled: boolean;
}
