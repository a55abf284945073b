// @x/native, loaded once: kernel-io cannot poll raw fds, pass fds or map files without it.
import { createRequire } from 'node:module';
import type * as Native from '@x/native';

let loaded: typeof Native | undefined;

/** The @x/native addon (throws its ERR_X_NATIVE_MISSING error, which says how to build it). */
export function native(): typeof Native {
  loaded ??= createRequire(import.meta.url)('@x/native') as typeof Native;
  return loaded;
}
