'use strict';
// `test:valgrind`: runs test/valgrind/exercise.cjs (every function of the addon, on
// success and failure paths, then the fuzz sweep of test/fixtures/fuzz.cjs) under memcheck,
// and fails on any memcheck error or any definite leak. Node itself runs clean under memcheck,
// so any report is ours to read.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const exercise = path.join(root, 'test', 'valgrind', 'exercise.cjs');
const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'x-native-valgrind-')), 'memcheck.log');
const ERROR_EXIT = 99;

const check = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
if (check.error) {
  console.error('valgrind is not installed: `apt-get install valgrind` (Debian), then run `pnpm --filter @x/native test:valgrind`.');
  process.exit(1);
}

const started = Date.now();
const result = spawnSync(
  'valgrind',
  [
    '--tool=memcheck',
    '--leak-check=full',
    '--show-leak-kinds=definite',
    '--errors-for-leak-kinds=definite',
    `--error-exitcode=${ERROR_EXIT}`,
    '--child-silent-after-fork=yes',
    `--suppressions=${path.join(root, 'test', 'valgrind', 'node.supp')}`,
    `--log-file=${log}`,
    process.execPath,
    '--expose-gc',
    exercise,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      X_VALGRIND_ROUNDS: process.env.X_VALGRIND_ROUNDS || '2',
      // The fuzz sweep, smaller: one accepted prefix per position, and at most 2 calls per function
      // that get past the argument checks (a fork under memcheck costs seconds). Every function and
      // its argument checks are still swept; fuzz.test.ts runs the whole sweep natively.
      X_FUZZ_PREFIXES: process.env.X_FUZZ_PREFIXES || '1',
      X_FUZZ_WORK: process.env.X_FUZZ_WORK || '2',
    },
  },
);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const report = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
const summary = (report.match(/^==\d+== (ERROR SUMMARY|   definitely lost|   indirectly lost|   possibly lost).*$/gm) || []).join('\n');
console.log(summary);
if (result.status !== 0) {
  console.error(report);
  console.error(
    result.status === ERROR_EXIT
      ? `memcheck found errors or definite leaks in ${seconds}s: the full report is above (${log}).`
      : `the exercise failed under memcheck (exit ${result.status}, signal ${result.signal}) in ${seconds}s; report: ${log}.`,
  );
  process.exit(1);
}
console.log(`memcheck: no errors, no definite leaks (${seconds}s).`);
