// A function run in a child Node process: its result comes back as a structured clone, its error
// with name, message and the child's stack, and a child killed by a signal is a typed error.
import { ChildDiedError, concurrently, control } from '@x/process';

// The functions the child calls: exported from this very module.
export function primesBelow(limit) {
  const sieve = new Uint8Array(limit);
  const primes = [];
  for (let n = 2; n < limit; n++) {
    if (sieve[n]) continue;
    primes.push(n);
    for (let m = n * n; m < limit; m += n) sieve[m] = 1;
  }
  return { count: primes.length, largest: primes.at(-1), computedBy: process.pid };
}

export function refuse(limit) {
  throw Object.assign(new RangeError(`${limit} is too large for this example`), { code: 'ERR_TOO_LARGE' });
}

export function crash() {
  process.kill(process.pid, 'SIGKILL');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  control(async () => {
    const result = await concurrently(import.meta.url, 'primesBelow', 1_000_000);
    console.log(`primes below a million: ${result.count}, the largest ${result.largest}, computed by pid ${result.computedBy} (we are ${process.pid})`);
    try {
      await concurrently(import.meta.url, 'refuse', 1e12);
    } catch (error) {
      console.log(`rethrown: ${error.name} ${error.code}: ${error.message}`);
      console.log(`  the child's stack starts: ${error.stack.split('\n')[1].trim()}`);
    }
    try {
      await concurrently(import.meta.url, 'crash');
    } catch (error) {
      console.log(`${error instanceof ChildDiedError ? 'ChildDiedError' : 'unexpected'}: ${error.message}`);
    }
    return 0;
  });
}
