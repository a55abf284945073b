// How where() puts a coroutine's state into words.
import { fileURLToPath } from 'node:url';
import { type CoarseClock, now } from './clock.js';
import type { Suspension } from './operation.js';

const ownDir = fileURLToPath(new URL('.', import.meta.url));

/** The first stack frame outside @x/coro: the user's line that started the operation. */
function callerFrame(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim();
    if (frame.startsWith('at ') && !frame.includes(ownDir) && !frame.includes('(node:')) return frame.slice(3);
  }
  return undefined;
}

/** What where() reads of a coroutine. */
export interface Describable {
  readonly dead: boolean;
  readonly started: boolean;
  readonly running: boolean;
  readonly suspendedIn: Suspension | undefined;
  /** When its last slice ended, on `clock`'s scale. */
  readonly parkedAt: number;
}

/**
 * `running`, `scheduled`, `not started`, `dead`, or the operation it waits in, for how long, and from
 * where. `clock` is the runtime's coarse clock (false or undefined: none).
 */
export function describe(co: Describable, clock: CoarseClock | undefined | false): string {
  if (co.dead) return 'dead';
  if (!co.started) return 'not started';
  if (co.running) return 'running';
  const park = co.suspendedIn;
  if (park === undefined) return 'scheduled';
  const waited = Math.max(0, now(clock || undefined) - co.parkedAt);
  const frame = park.stack === undefined ? undefined : callerFrame(park.stack);
  return `${park.describe()} for ${waited.toFixed(1)} ms${frame ? ` at ${frame}` : ''}`;
}
