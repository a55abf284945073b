// 1,000 rounds of "start calls, kill -9 the context at a random moment" (the tests run 100): reports
// calls that never settled, processes left behind, and fds this process lost. It runs the built package
// (`@x/remote` here is this package's dist), as a user's program would; plain Node, no TypeScript loader.
// Usage (from the repository root):
//   pnpm build && node packages/remote/bench/kill-rounds.mjs [rounds]
// Exits 1 on any hang or leak.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { Router } from '@x/remote';
import { killRound } from './kill-round.mjs';

const rounds = Number(process.argv[2] ?? 1000);
const tasks = new URL('./local-tasks.ts', import.meta.url);
const marker = `x-remote-kill-rounds-${randomUUID()}`;
process.execArgv.length = 0;

const fds = () => readdirSync('/proc/self/fd').length;

/**
 * Live (not zombie) processes whose command line carries `marker`, or whose parent is this process,
 * other than those in `before` (esbuild's service process, which lives as long as this one).
 * @param {Set<string>} [before]
 * @returns {string[]}
 */
function leftovers(before = new Set()) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      if (before.has(entry)) continue;
      if (Number(ppid) === process.pid || readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) found.push(stat.trim());
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

const router = new Router({ logPrinter: false });
// Warm up: the first context and call pay for esbuild and the module graph, not for the rounds.
await (await router.local()).shutdown();
const fdsBefore = fds();
const before = new Set(leftovers().map((stat) => stat.slice(0, stat.indexOf(' '))));
let hung = 0;
/** @type {Map<string, number>} */
const outcomes = new Map();
const started = performance.now();

async function round() {
  const { outcomes: settled, settledMs } = await killRound(router, tasks, marker);
  for (const outcome of settled) {
    if (outcome === 'hung') hung++;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  slowest = Math.max(slowest, settledMs);
}

let slowest = 0;
const parallel = 4;
for (let done = 0; done < rounds; done += parallel) {
  await Promise.all(Array.from({ length: Math.min(parallel, rounds - done) }, round));
  if ((done + parallel) % 100 === 0) console.log(`${done + parallel} rounds, ${hung} hung calls so far`);
}
await router.close();
// Killed contexts' children see their parent's channel close and exit, and closed sockets release their
// fds a turn later; give both a moment under load.
let left = leftovers(before);
for (let wait = 0; wait < 100 && (left.length > 0 || fds() > fdsBefore); wait++) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  left = leftovers(before);
}
const fdsLost = fds() - fdsBefore;
console.log(
  `${rounds} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s: ${hung} hung calls, ${left.length} leaked processes, ${fdsLost} leaked fds; ` +
    `outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; slowest settle after a kill ${slowest.toFixed(0)} ms (all four calls, awaited in turn)`,
);
for (const line of left) console.log(`left: ${line}`);
if (hung > 0 || left.length > 0 || fdsLost > 0) process.exitCode = 1;
