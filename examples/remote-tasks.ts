// The TypeScript module examples/remote-local.js fans out to its contexts: it travels with the call
// (types stripped on the way), nothing is installed or written on the context's side.
import { currentContext } from '@x/remote';

export interface Part {
  worker: string;
  pid: number;
  from: number;
  to: number;
  primes: number;
}

/** Counts the primes in [from, to); what it prints becomes log records in the parent. */
export function countPrimes(from: number, to: number): Part {
  const worker = currentContext().name;
  console.log(`${worker} counting primes in [${from}, ${to})`);
  const sieve = new Uint8Array(to);
  let primes = 0;
  for (let n = 2; n < to; n++) {
    if (sieve[n]) continue;
    if (n >= from) primes++;
    for (let m = n * n; m < to; m += n) sieve[m] = 1;
  }
  if (primes < 20_000) console.warn(`${worker} found fewer than 20000 primes: they thin out as numbers grow`);
  return { worker, pid: process.pid, from, to, primes };
}
