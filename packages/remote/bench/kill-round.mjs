// One round of "start a context, make four calls, kill -9 it at a random moment", shared by the 100-round
// test (test/dead-messages.test.ts) and the 1,000-round bench/kill-rounds.mjs. Plain JavaScript, so the
// bench runs on plain Node; it takes the router, so each side uses its own copy of @x/remote.

/**
 * Runs one round on `router` and waits until the killed context is gone.
 * @param {{ local(options: { name: string }): Promise<any> }} router
 * @param {URL} tasks a module exporting startMarked, sleep, echo and hang (test/fixtures/tasks.ts, bench/local-tasks.ts)
 * @param {string} marker what startMarked puts on the command line of the process it starts
 * @returns {Promise<{ outcomes: string[]; settledMs: number }>} each call's outcome ('ok', a ChannelError's
 *   reason, another error as text, or 'hung' when it had not settled 10 s after the kill), and how long after
 *   the kill the last one settled, in milliseconds.
 */
export async function killRound(router, tasks, marker) {
  const ctx = await router.local({ name: 'round' });
  const calls = [
    ctx.call(tasks, 'startMarked', marker),
    ctx.call(tasks, 'sleep', Math.floor(Math.random() * 20)),
    ctx.call(tasks, 'echo', Buffer.alloc(Math.floor(Math.random() * (4 << 20)))),
    ctx.call(tasks, 'hang'),
  ];
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
  process.kill(ctx.pid, 'SIGKILL');
  const killedAt = performance.now();
  // A call still pending 10 s after the kill counts as hung (the contract is 100 ms).
  const watchdog = new Promise((resolve) => setTimeout(resolve, 10_000, 'hung').unref());
  const outcomes = [];
  for (const call of calls) {
    outcomes.push(await Promise.race([call.then(() => 'ok', (error) => (error?.code === 'ERR_X_REMOTE_CHANNEL' ? error.reason : String(error))), watchdog]));
  }
  const settledMs = performance.now() - killedAt;
  await ctx.disconnected;
  return { outcomes, settledMs };
}
