/** Why the process is ending, as told to each cleanup handler. */
export type ExitReason =
  /** A normal end, `process.exit(code)`, or an `Exit` thrown uncaught. */
  | { code: number }
  /** A signal (or an `Interruption` thrown uncaught): the process will end by this signal. */
  | { signal: NodeJS.Signals }
  /** An uncaught exception or unhandled rejection (status 1), or `exitAfterCleanup({error, code})`. */
  | { error: unknown };

/** A cleanup handler: may be async; awaited up to its deadline. */
export type ExitHandler = (reason: ExitReason) => void | Promise<void>;
