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
    console.log(`primesBelow(1000000) ran in child process ${result.computedBy} (this is ${process.pid}): ${result.count} primes, the largest ${result.largest}`);
    try {
      await concurrently(import.meta.url, 'refuse', 1e12);
    } catch (error) {
      console.log(`refuse() threw in the child; rethrown here as ${error.name} with code ${error.code}: "${error.message}"`);
      console.log(`  the rethrown error keeps the child's stack, which starts: ${error.stack.split('\n')[1].trim()}`);
    }
    try {
      await concurrently(import.meta.url, 'crash');
    } catch (error) {
      const kind = error instanceof ChildDiedError ? 'a ChildDiedError' : `an unexpected ${error.name}`;
      console.log(`crash() killed its own child process; concurrently() rejected with ${kind}: ${error.message}`);
    }
    return 0;
  });
}
