// where() and whereAll(): what each coroutine is doing, for debugging a stuck program.
import { type Coro, allThreads } from './coro.js';
import { describe } from './describe.js';
import { InvalidArgumentError } from './errors.js';
import { rt } from './runtime.js';

/**
 * Says where a coroutine is: the operation it is suspended in and for how long (e.g.
 * `Fifo.pop() for 3200.4 ms`), with the source line that started it when debug stacks are on
 * ({@link setDebugStacks}); or `running`, `scheduled`, `not started`, `dead`.
 *
 * @example
 * import { sleep, spawn, where } from '@x/coro';
 * const co = spawn(function* () { yield* sleep(1_000); });
 * setTimeout(() => console.log(where(co)), 100); // 'sleep(1000) for 100.2 ms'
 */
export function where(co: Coro): string {
  if (typeof co !== 'object' || co === null || typeof (co as Coro).where !== 'function') throw new InvalidArgumentError('co', 'a Coro', co);
  return describe(co, rt.clock);
}

/** One entry of whereAll(). */
export interface WhereEntry {
  name: string;
  coro: Coro;
  where: string;
}

/**
 * Where every live coroutine is, by id (shrapnel's `where_all`).
 *
 * @example
 * import { whereAll } from '@x/coro';
 * for (const [id, { name, where }] of whereAll()) console.log(id, name, where);
 */
export function whereAll(): Map<number, WhereEntry> {
  const all = new Map<number, WhereEntry>();
  for (const [id, coro] of allThreads) all.set(id, { name: coro.name, coro, where: describe(coro, rt.clock) });
  return all;
}

/**
 * Captures a stack trace each time an operation suspends, so where() names the source line (costs a few
 * microseconds per suspension: for debugging). Returns the previous setting.
 *
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a non-boolean.
 * @example
 * import { setDebugStacks } from '@x/coro';
 * setDebugStacks(true);
 */
export function setDebugStacks(enabled: boolean): boolean {
  if (typeof enabled !== 'boolean') throw new InvalidArgumentError('enabled', 'a boolean', enabled);
  const previous = rt.debugStacks;
  rt.debugStacks = enabled;
  return previous;
}
