// @x/coro: fan out to several replicas with inParallel, under one overall timeout.
import { coro } from '@x/system';

const { InParallelError, TimeoutError, inParallel, sleep, toPromise, withTimeout } = coro;

/** A replica that answers after `latencyMs`, or fails. */
function* query(replica, latencyMs, fails = false) {
  yield* sleep(latencyMs);
  if (fails) throw new Error(`${replica} is down`);
  return `${replica}: 42 rows`;
}

// Every replica answers: the results come back in the order of the jobs.
const answers = await toPromise(
  withTimeout(1_000, inParallel([[query, ['db-1', 30]], [query, ['db-2', 10]], [query, ['db-3', 20]]])),
);
console.log(`3 replicas asked at once; answers in the order asked, not the order they came: ${answers.join('; ')}`);

// One replica fails: the others still finish, and InParallelError holds every outcome.
try {
  await toPromise(inParallel([[query, ['db-1', 10]], [query, ['db-2', 5, true]]]));
} catch (error) {
  if (!(error instanceof InParallelError)) throw error;
  for (const [k, result] of error.results.entries()) {
    const outcome = result.status === 'fulfilled' ? `answered "${result.value}"` : `failed: ${result.reason.message}`;
    console.log(`db-2 down: the InParallelError holds every job's outcome; job ${k} ${outcome}`);
  }
}

// Too slow: the timeout interrupts every job still running (each is shut down) and gives up.
try {
  await toPromise(withTimeout(50, inParallel([[query, ['db-1', 10]], [query, ['db-2', 5_000]]])));
} catch (error) {
  if (!(error instanceof TimeoutError)) throw error;
  console.log(`db-2 takes 5 s: withTimeout gave up after ${error.timeoutMs} ms and shut down the job still running`);
}
