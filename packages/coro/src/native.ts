// @x/native, loaded on first use. This package works without the addon where its README says so: the
// time of a slice comes from performance.now(), and waitpid(pid) and waitFor throw NativeUnavailableError.
// But only a *missing* addon is tolerated: a binary that is there and fails to load (built for another
// Node, corrupt, a missing symbol) is thrown as it is, never taken for an absent one.
import { createRequire } from 'node:module';
import type * as Native from '@x/native';
import { NativeUnavailableError } from './errors.js';

let loaded: typeof Native | undefined;
let missing: unknown;

/** True for an addon that is not built (its loader's ERR_X_NATIVE_MISSING) or not installed at all. */
function isMissing(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ERR_X_NATIVE_MISSING' || (e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes("'@x/native'"));
}

/** The addon, or undefined when it is missing (kept for NativeUnavailableError's cause). Throws when it is broken. */
export function loadNative(): typeof Native | undefined {
  if (loaded === undefined && missing === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@x/native') as typeof Native;
    } catch (error) {
      if (!isMissing(error)) throw error;
      missing = error;
    }
  }
  return loaded;
}

/** The @x/native function `name`, or NativeUnavailableError naming what needs it and how to fix it. */
export function nativeFunction<K extends 'watchPid' | 'watchFd'>(name: K, operation: string): (typeof Native)[K] {
  const fn = loadNative()?.[name];
  if (typeof fn !== 'function') throw new NativeUnavailableError(name, operation, missing);
  return fn;
}
