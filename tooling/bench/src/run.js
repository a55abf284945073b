// `pnpm bench`: runs every package's bench/*.bench.ts, each in its own process,
// and writes bench/RESULTS.md and bench/results.json at the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDuration } from './index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = fileURLToPath(import.meta.resolve('tsx'));

function benchFiles() {
  const files = [];
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (name.endsWith('.bench.ts')) files.push(join(dir, name));
  }
  return files;
}

// A record may carry `unit: 'bytes'` (memory per item) instead of the default, a duration in milliseconds.
function formatFigure(record, value) {
  return record.unit === 'bytes' ? `${value.toFixed(1)} B` : formatDuration(value);
}

const out = join(tmpdir(), `x-bench-${process.pid}.jsonl`);
rmSync(out, { force: true });
const failures = [];
for (const file of benchFiles()) {
  console.log(`\n# ${relative(root, file)}`);
  const run = spawnSync(process.execPath, ['--import', tsx, file], {
    cwd: dirname(file),
    stdio: 'inherit',
    env: { ...process.env, X_BENCH_OUT: out },
  });
  if (run.status !== 0) failures.push(`${relative(root, file)} (exit ${run.status ?? run.signal})`);
}

const records = existsSync(out)
  ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
  : [];
rmSync(out, { force: true });
const machine = `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
const rows = records.map(
  (r) => `| ${r.case} | ${formatFigure(r, r.ours)} | ${r.peerName} ${formatFigure(r, r.peer)} | ${r.ratio.toFixed(2)} | ${machine} | ${date} |`,
);
mkdirSync(join(root, 'bench'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'RESULTS.md'),
  [
    '# Benchmark results',
    '',
    'Written by `pnpm bench`. Each figure is the median time of one operation (or memory per item, in B);',
    'ours and the peer ran alternately in the same process run. Ratio = peer / ours: above 1 means x is',
    'faster (or smaller).',
    '',
    '| case | ours | peer | ratio | machine | date |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify({ machine, date, results: records }, null, 2)}\n`);
console.log(`\nwrote bench/RESULTS.md (${records.length} cases)`);
if (failures.length) {
  console.error(`benchmarks that failed to run: ${failures.join(', ')}`);
  process.exitCode = 1;
}
