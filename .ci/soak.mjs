#!/usr/bin/env node
// `pnpm test:soak [rounds] [filter...]`: runs the whole `unit` vitest project `rounds` times in a row (10
// by default) while one busy-loop process per core keeps every core busy, and prints the failures of each
// round. Filters (vitest's: paths or parts of them) narrow the run to a suspect test file.
// Flaky tests show up under load: a timer that fires before a child is ready, a clock that has not
// ticked. Exits 1 if any round had a failure. Run `pnpm build` first (the root script does).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [roundsArgument = process.env.SOAK_ROUNDS ?? '10', ...filters] = process.argv.slice(2);
const rounds = Number(roundsArgument);
if (!Number.isInteger(rounds) || rounds < 1) {
  console.error(`test:soak: expected a number of rounds >= 1 (argument or SOAK_ROUNDS), got ${roundsArgument}`);
  process.exit(2);
}

// Each load process spins and checks now and then that this script is still its parent, so it ends
// by itself even if this script is killed with SIGKILL and never runs its cleanup.
const spin = `const parent = ${process.pid}; for (;;) { for (let k = 0; k < 1e7; k++); if (process.ppid !== parent) process.exit(0); }`;
const load = Array.from({ length: availableParallelism() }, () => spawn(process.execPath, ['-e', spin], { stdio: 'ignore' }));
let current; // the running vitest
function stopLoad() {
  for (const child of load) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.on('exit', stopLoad);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stopLoad();
    current?.kill(signal);
    process.exit(128 + constants.signals[signal]);
  });
}

const work = mkdtempSync(join(tmpdir(), 'x-soak-'));
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

/** Runs the unit project once; resolves with its JSON report (or null) and the run's output. */
function runOnce(round) {
  const report = join(work, `round-${round}.json`);
  const child = (current = spawn(process.execPath, [vitest, 'run', '--project', 'unit', '--reporter=json', `--outputFile=${report}`, ...filters], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  return new Promise((done) =>
    child.on('close', (code, signal) => {
      let parsed = null;
      try {
        parsed = JSON.parse(readFileSync(report, 'utf8'));
      } catch {}
      done({ code, signal, parsed, output });
    }),
  );
}

const firstLine = (text) => {
  const line = String(text ?? '').split('\n')[0];
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
};

/** The failed tests of a report, and test files that failed without running a test (a crash at import). */
function failures(parsed) {
  const failed = [];
  for (const file of parsed.testResults) {
    const path = relative(root, file.name);
    const broken = file.assertionResults.filter((test) => test.status === 'failed');
    for (const test of broken) failed.push(`${path} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
    if (file.status === 'failed' && broken.length === 0) failed.push(`${path}: ${firstLine(file.message ?? 'failed')}`);
  }
  return failed;
}

const scope = filters.length ? `unit project (${filters.join(' ')})` : 'unit project';
console.log(`test:soak: ${rounds} rounds of the ${scope}, ${load.length} busy-loop processes loading ${availableParallelism()} cores`);
const perRound = [];
for (let round = 1; round <= rounds; round++) {
  const started = performance.now();
  const { code, signal, parsed, output } = await runOnce(round);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let failed;
  if (parsed) {
    failed = failures(parsed);
    if (failed.length === 0 && code !== 0) failed.push(`vitest exited with status ${code} though no test failed (an unhandled error?)`);
  } else {
    failed = [`vitest ended (status ${code}, signal ${signal}) without a report`];
  }
  const passed = parsed?.numPassedTests ?? 0;
  console.log(`round ${round}/${rounds}: ${passed} passed, ${failed.length} failed (${seconds} s)`);
  for (const line of failed) console.log(`  FAIL ${line}`);
  if (failed.length > 0) {
    const log = join(work, `round-${round}.log`);
    writeFileSync(log, output);
    console.log(`  the whole output of this round: ${log}`);
  }
  perRound.push(failed.length);
}
stopLoad();
const total = perRound.reduce((sum, n) => sum + n, 0);
console.log(`test:soak: ${total} failures in ${rounds} rounds (per round: ${perRound.join(' ')})`);
if (total === 0) rmSync(work, { recursive: true, force: true });
process.exitCode = total === 0 ? 0 : 1;
