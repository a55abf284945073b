// A pool of worker threads fed through @x/latch: the main thread puts jobs on one latch, four
// workers take them as they become free (blocking get, no event loop needed in a worker), and put
// results on another latch, which the main thread reads without blocking its event loop. Closing the
// jobs latch wakes every idle worker with LatchClosedError, which is how they learn to stop.
//
// One file plays both parts: run as a script it is the main thread, and it starts itself as the workers.
// Run it: `pnpm example latch-worker-pool` (or `node examples/latch-worker-pool.js`).
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { latch } from '@x/system';

const { Latch, LatchClosedError } = latch;

/** The job: how many primes are below `limit` (deliberately naive, to take some CPU). */
function countPrimes(limit) {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

if (isMainThread) {
  const jobs = new Latch({ capacity: 4096 }); // small on purpose: put() waits while the ring is full
  const results = new Latch();
  const workers = Array.from(
    { length: 4 },
    (_, id) => new Worker(new URL(import.meta.url), { workerData: { id, jobs: jobs.handle, results: results.handle } }),
  );
  const exited = workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve)));

  const limits = Array.from({ length: 40 }, (_, index) => 20_000 + index * 1_000);
  for (const [job, limit] of limits.entries()) await jobs.putAsync({ job, limit });

  const byWorker = new Map();
  let total = 0;
  for (let received = 0; received < limits.length; received++) {
    const { job, worker, primes } = await results.getAsync({ timeout: 30_000 });
    if (primes !== countPrimes(limits[job])) throw new Error(`job ${job} came back wrong: ${primes}`);
    byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
    total += primes;
  }
  jobs.close(); // every worker waiting in get() wakes with LatchClosedError and returns
  await Promise.all(exited);
  console.log(`${limits.length} prime-counting jobs done by ${workers.length} worker threads, every result checked: ${total} primes in all`);
  const shares = [...byWorker].sort(([a], [b]) => a - b).map(([worker, count]) => `worker ${worker} took ${count}`);
  console.log(`each worker takes the next job when it is free: ${shares.join(', ')}`);
} else {
  const jobs = Latch.from(workerData.jobs);
  const results = Latch.from(workerData.results);
  try {
    for (;;) {
      const { job, limit } = jobs.get(); // blocks this worker thread until a job or close()
      results.put({ job, worker: workerData.id, primes: countPrimes(limit) });
    }
  } catch (error) {
    if (!(error instanceof LatchClosedError)) throw error;
  }
}
