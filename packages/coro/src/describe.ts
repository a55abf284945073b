// How where() puts a coroutine's state into words.
import { fileURLToPath } from 'node:url';
import { now } from './clock.js';
import type { Coro } from './coro.js';
import { rt } from './runtime.js';

const ownDir = fileURLToPath(new URL('.', import.meta.url));

/** The first stack frame outside @x/coro: the user's line that started the operation. */
function callerFrame(stack: string): string | undefined {
  for (const line of stack.split('\n').slice(1)) {
    const frame = line.trim();
    if (frame.startsWith('at ') && !frame.includes(ownDir) && !frame.includes('(node:')) return frame.slice(3);
  }
  return undefined;
}

/** `running`, `scheduled`, `not started`, `dead`, or the operation it waits in, for how long, and from where. */
export function describe(target: { id: number }): string {
  const co = target as Coro;
  if (co.dead) return 'dead';
  if (!co.started) return 'not started';
  if (co.running) return 'running';
  const park = co.suspendedIn;
  if (park === undefined) return 'scheduled';
  const waited = Math.max(0, now(rt.clock || undefined) - co.parkedAt);
  const frame = park.stack === undefined ? undefined : callerFrame(park.stack);
  return `${park.describe()} for ${waited.toFixed(1)} ms${frame ? ` at ${frame}` : ''}`;
}
