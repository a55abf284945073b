// The benchmark harness every package uses: our case and the peer's case run
// alternately, round after round, in one process, so drift in the machine (turbo
// clocks, another process) falls on both sides alike.
import { appendFileSync } from 'node:fs';
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

/**
 * Times `ours.fn` against `peer.fn` and records the medians and their ratio.
 * Each round runs both, in alternating order; a case's figure is the median of its round medians.
 */
export async function compare({ name, ours, peer, rounds = 8, timeMs = 150, warmupMs = 50 }) {
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
  const record = { case: name, ours: oursMs, peer: peerMs, peerName: peer.name, ratio: peerMs / oursMs };
  console.log(
    `${name}: x ${formatDuration(oursMs)}, ${peer.name} ${formatDuration(peerMs)}, ` +
      `ratio ${record.ratio.toFixed(2)} (above 1: x is faster)`,
  );
  if (process.env.X_BENCH_OUT) appendFileSync(process.env.X_BENCH_OUT, `${JSON.stringify(record)}\n`);
  return record;
}

/** Formats a duration given in milliseconds with a unit fit for its size. */
export function formatDuration(ms) {
  if (ms < 1e-3) return `${(ms * 1e6).toFixed(1)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(2)} µs`;
  return `${ms.toFixed(2)} ms`;
}
