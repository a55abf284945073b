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

/**
 * The addon, or `null` where it is not built: this package works without it, losing only what JS
 * cannot do (exit by SIGUSR1 and SIGPIPE, restoring Node's own handlers, the interrupt word).
 * Loaded on first use, never on import.
 */
export function loadNative(): SignalsNative | null {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@x/native') as SignalsNative;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ERR_X_NATIVE_MISSING') throw error;
      loaded = null;
    }
  }
  return loaded;
}
