// @x/native, loaded on first use so that everything else works without the addon.
import { createRequire } from 'node:module';
import type * as Native from '@x/native';
import { NativeUnavailableError } from './errors.js';

let loaded: typeof Native | undefined;
let failure: unknown;

/** The addon, or undefined when it cannot be loaded (the error is kept for NativeUnavailableError). */
export function loadNative(): typeof Native | undefined {
  if (loaded === undefined && failure === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@x/native') as typeof Native;
    } catch (error) {
      failure = error;
    }
  }
  return loaded;
}

/** The @x/native function `name`, or NativeUnavailableError naming what needs it and how to fix it. */
export function nativeFunction<K extends 'watchPid' | 'watchFd'>(name: K, operation: string): (typeof Native)[K] {
  const fn = loadNative()?.[name];
  if (typeof fn !== 'function') throw new NativeUnavailableError(name, operation, failure);
  return fn;
}
