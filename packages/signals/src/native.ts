import { createRequire } from 'node:module';

/** The part of @x/native this package uses. */
export interface SignalsNative {
  setDisposition(signal: number, disposition: 'default' | 'ignore'): void;
  raiseDefault(signal: number): void;
  captureDisposition(signal: number): void;
  restoreDisposition(signal: number): void;
  installInterruptWord(buffer: SharedArrayBuffer, signals: number[]): void;
  uninstallInterruptWord(signals: number[]): void;
}

let loaded: SignalsNative | null | undefined;

/** True for an addon that is not built (its loader's ERR_X_NATIVE_MISSING) or not installed at all. */
function isMissing(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ERR_X_NATIVE_MISSING' || (e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes("'@x/native'"));
}

/**
 * The addon, or `null` where it is not built: this package works without it, losing only what JS
 * cannot do (exit by SIGUSR1 and SIGPIPE, restoring Node's own handlers, the interrupt word).
 * Loaded on first use, never on import. Only a missing addon is tolerated: a binary that is there and
 * fails to load is thrown as it is, never taken for an absent one.
 */
export function loadNative(): SignalsNative | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@x/native') as SignalsNative;
    } catch (error) {
      if (!isMissing(error)) throw error;
      loaded = null;
    }
  }
  return loaded;
}
