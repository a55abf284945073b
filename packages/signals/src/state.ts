import type { ExitHandler } from './exit-reason.js';

/** One registered cleanup handler. */
export interface ExitEntry {
  handler: ExitHandler;
  deadlineMs: number;
}

/**
 * Process-wide state, shared by every loaded copy of this package through a registered symbol, so
 * that two copies (two versions in one dependency tree) clean up once and exit once.
 */
export interface SignalsState {
  /** Cleanup handlers in registration order; changed by onExit and its disposers. */
  readonly exitHandlers: ExitEntry[];
  /** 'idle' until an exit begins; 'cleaning' while handlers run; 'done' after. */
  phase: 'idle' | 'cleaning' | 'done';
  /** The process listeners onExit installed, present while any cleanup handler is registered. */
  exitListeners: ExitListeners | undefined;
}

/** The listeners onExit installs, kept so the copy that removes them need not be the one that added them. */
export interface ExitListeners {
  beforeExit: () => void;
  exit: (code: number) => void;
  uncaughtException: (error: unknown) => void;
  signal: (identifier: NodeJS.Signals) => void;
}

const key = Symbol.for('@x/signals');

/** The shared state, created on first use (never on import). */
export function sharedState(): SignalsState {
  const holder = globalThis as typeof globalThis & { [key]?: SignalsState };
  holder[key] ??= { exitHandlers: [], phase: 'idle', exitListeners: undefined };
  return holder[key];
}
