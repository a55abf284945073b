// The benchmark harness every package uses: our case and the peer's case run
// alternately, round after round, in one process, so drift in the machine (turbo
// clocks, another process) falls on both sides alike.
import { appendFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function roundMedian(bench, taskName) {
  const result = bench.getTask(taskName)?.result;
  if (!result || result.state !== 'completed') {
    throw new Error(`Benchmark task "${taskName}" did not complete: ${result?.state}${result?.error ? ` (${result.error.message})` : ''}`);
  }
  return result.latency.p50;
}

/** Below this 1-minute load average a figure is a result; above it the machine is busy with something else. */
export const QUIET_LOAD = 1.5;

const currentLoad = () => Number(loadavg()[0].toFixed(2));

/**
 * Waits (up to `limitMs`) for the 1-minute load average to fall below QUIET_LOAD, so a case does not start
 * in the wake of the one before it (an ssh case's targets leave the load near 2-8 for a minute). Returns
 * the load the case starts at, which its record carries.
 */
export async function settle(limitMs = Number(process.env.X_BENCH_SETTLE_MS ?? 180_000)) {
  const deadline = Date.now() + limitMs;
  let announced = false;
  while (currentLoad() >= QUIET_LOAD && Date.now() < deadline) {
    if (!announced) console.log(`  (waiting for the load average, ${currentLoad()}, to fall below ${QUIET_LOAD})`);
    announced = true;
    await sleep(2000);
  }
  return currentLoad();
}

function writeRecord(record) {
  if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);
}

/**
 * Times `ours.fn` against `peer.fn` and records the medians and their ratio.
 * Each round runs both, in alternating order; a case's figure is the median of its round medians.
 */
export async function compare({ name, ours, peer, rounds = 8, timeMs = 150, warmupMs = 50 }) {
  const load = await settle();
  const oursLabel = `x: ${ours.name ?? 'ours'}`;
  const peerLabel = `${peer.name}: ${peer.label ?? peer.name}`;
  const oursMedians = [];
  const peerMedians = [];
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({ time: timeMs, warmupTime: warmupMs, throws: true });
    const tasks = [
      [oursLabel, ours.fn],
      [peerLabel, peer.fn],
    ];
    if (round % 2) tasks.reverse();
    for (const [label, fn] of tasks) bench.add(label, fn);
    await bench.run();
    oursMedians.push(await roundMedian(bench, oursLabel));
    peerMedians.push(await roundMedian(bench, peerLabel));
  }
  const oursMs = median(oursMedians);
  const peerMs = median(peerMedians);
  const record = { case: name, ours: oursMs, peer: peerMs, peerName: peer.name, ratio: peerMs / oursMs, load: `${load} to ${currentLoad()}` };
  console.log(
    `${name}: x ${formatDuration(oursMs)}, ${peer.name} ${formatDuration(peerMs)}, ` +
      `ratio ${record.ratio.toFixed(2)} (above 1: x is faster; load ${record.load})`,
  );
  writeRecord(record);
  return record;
}

/**
 * Compares whole batches, for cases too slow or too stateful for per-iteration timing (a GiB read, 500
 * processes, a heap measured after a million allocations): after `warmup` batches each, every round runs
 * one batch of ours and of each peer, in an order reversed every other round. A batch returns its own
 * figure (milliseconds, or bytes with `unit: 'bytes'`); `timed(fn)` makes one from a plain function.
 * Records the median figure of each side, one record per peer.
 */
export async function compareBatches({ name, unit = 'ms', ours, peers, rounds = 5, warmup = 1, describe = () => '' }) {
  const load = await settle();
  const sides = [{ name: 'x', ...ours }, ...peers];
  for (const side of sides) for (let k = 0; k < warmup; k++) await side.run();
  const figures = sides.map(() => []);
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, index) => index);
    if (round % 2) order.reverse();
    for (const index of order) figures[index].push(await sides[index].run());
  }
  return recordFigures({ name, unit, ours: figures[0], peers: peers.map((peer, k) => ({ name: peer.name, figures: figures[k + 1] })), describe, load });
}

/**
 * Records figures gathered by the caller, one record per peer with the median of each side: for a second
 * figure taken from the same runs as a compareBatches case (the CPU time of commands timed for wall time).
 */
export function recordFigures({ name, unit = 'ms', ours, peers, describe = () => '', load = currentLoad() }) {
  const loads = `${load} to ${currentLoad()}`;
  const show = (value) => `${unit === 'bytes' ? `${value.toFixed(1)} B` : formatDuration(value)}${describe(value)}`;
  const oursFigure = median(ours);
  return peers.map((peer) => {
    const peerFigure = median(peer.figures);
    const record = { case: name, ours: oursFigure, peer: peerFigure, peerName: peer.name, ratio: peerFigure / oursFigure, unit, load: loads };
    console.log(`${name}: x ${show(oursFigure)}, ${peer.name} ${show(peerFigure)}, ratio ${record.ratio.toFixed(2)} (above 1: x is better; load ${loads})`);
    writeRecord(record);
    return record;
  });
}

/** A batch for compareBatches: runs `fn` once and gives the milliseconds it took. */
export function timed(fn) {
  return async () => {
    const start = performance.now();
    await fn();
    return performance.now() - start;
  };
}

/** CPU time (user + system) of this process so far, in milliseconds. */
export function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** JS heap plus ArrayBuffer memory after full collections, in bytes (no --expose-gc flag needed). */
export function heapBytes() {
  for (let k = 0; k < 3; k++) gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Formats a duration given in milliseconds with a unit fit for its size. */
export function formatDuration(ms) {
  if (ms < 1e-3) return `${(ms * 1e6).toFixed(1)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(2)} µs`;
  return `${ms.toFixed(2)} ms`;
}

/**
 * Loads a peer that is an optional dependency of this harness (one with a native build, such as
 * node-pty): `pnpm install` goes on when it cannot be built, so a benchmark asks for it here and skips
 * its case, saying why, when it is absent.
 */
export async function optionalPeer(name, skipped) {
  try {
    return await import(name);
  } catch (error) {
    console.log(`${name} could not be loaded (${error.message}); it is optional, as its build may fail on install: ${skipped} is skipped.`);
    return null;
  }
}
