// @x/remote's local method: fan one function of a TypeScript module out to 4 local contexts (Node
// child processes started as ssh would start them), print their results, then their output, which
// reached this process as log records naming the context.
import { Router } from '@x/remote';

const tasks = new URL('./remote-tasks.ts', import.meta.url);
const router = new Router({ logPrinter: false });
const logs = [];
router.onLog((record) => logs.push(record));
try {
  const contexts = await Promise.all([1, 2, 3, 4].map((k) => router.local({ name: `worker-${k}` })));
  const step = 250_000;
  const parts = await Promise.all(contexts.map((ctx, k) => ctx.call(tasks, 'countPrimes', k * step, (k + 1) * step)));
  for (const part of parts) {
    console.log(`${part.worker} (pid ${part.pid}, not ${process.pid}) counted ${part.primes} primes in [${part.from}, ${part.to})`);
  }
  const total = parts.reduce((sum, part) => sum + part.primes, 0);
  console.log(`4 contexts, remote-tasks.ts shipped to each with its first call: ${total} primes below ${4 * step}`);
  // Shut down first so every record is in; then print them in a stable order.
  await Promise.all(contexts.map((ctx) => ctx.shutdown()));
  logs.sort((a, b) => a.context.name.localeCompare(b.context.name) || a.time - b.time);
  for (const record of logs) console.log(`log [${record.context.name}] ${record.stream}/${record.level}: ${record.text}`);
} finally {
  await router.close();
}
