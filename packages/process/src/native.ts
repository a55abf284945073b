// @x/native, loaded on first use: spawning, reaping and ptys have no pure-JS fallback
// (child_process cannot give exec errors, exact fds, controlling terminals or pidfds).
import { createRequire } from 'node:module';
import type * as Native from '@x/native';

let loaded: typeof Native | undefined;

/** The addon; its loader's own ERR_X_NATIVE_MISSING (with the command that fixes it) when not built. */
export function native(): typeof Native {
  loaded ??= createRequire(import.meta.url)('@x/native') as typeof Native;
  return loaded;
}
