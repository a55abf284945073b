/** What starting a context's first process gives back: its pid, how to kill it, and (where this process
 * is its parent) when it has exited. */
export interface StartedContext {
  pid: number;
  kill: () => void;
  exited?: Promise<void>;
}
