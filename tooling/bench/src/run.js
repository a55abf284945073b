// `pnpm bench`: runs every package's bench/*.bench.ts, each in its own process,
// and writes bench/RESULTS.md and bench/results.json at the repository root.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDuration } from './index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = fileURLToPath(import.meta.resolve('tsx'));

function benchFiles(only, fileFilter) {
  const files = [];
  for (const pkg of readdirSync(join(root, 'packages')).sort()) {
    if (only.length && !only.includes(pkg)) continue;
    const dir = join(root, 'packages', pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.bench.ts') && (fileFilter === undefined || name.includes(fileFilter))) files.push({ pkg, file: join(dir, name) });
    }
  }
  return files;
}

// A record may carry `unit: 'bytes'` (memory per item) instead of the default, a duration in milliseconds.
function formatFigure(record, value) {
  if (record.unit !== 'bytes') return formatDuration(value);
  return Math.abs(value) >= 2 ** 20 ? `${(value / 2 ** 20).toFixed(1)} MiB` : `${value.toFixed(1)} B`;
}

/**
 * The targets the issues set, from each package's bench/targets.json: entries of
 * `{case, peer, ratioAtLeast | oursAtMost | oursAtMostPeerPlus, why}`: ratio = peer / ours at least
 * so much, ours at most an absolute figure, or ours at most the peer's figure plus so much (in the
 * record's unit: ms, or bytes), as "bare node + 6 MiB" or "`ssh host true` + 60 ms". `why` explains a
 * miss (it is printed only then).
 */
function loadTargets(packages) {
  const targets = [];
  for (const pkg of packages) {
    const file = join(root, 'packages', pkg, 'bench', 'targets.json');
    if (existsSync(file)) for (const target of JSON.parse(readFileSync(file, 'utf8'))) targets.push({ ...target, pkg });
  }
  return targets;
}

const percent = (fraction) => (fraction < 0.01 ? 'under 1%' : `${(fraction * 100).toFixed(0)}%`);

/** How a record fares against its target: the target's wording, and '' when met or how far off it is. */
function judge(record, target) {
  if (target.ratioAtLeast !== undefined) {
    const wording = `ratio >= ${target.ratioAtLeast}`;
    const short = 1 - record.ratio / target.ratioAtLeast;
    return { wording, miss: short > 0 ? `short by ${percent(short)}` : '' };
  }
  if (target.oursAtMostPeerPlus !== undefined) {
    const limit = record.peer + target.oursAtMostPeerPlus;
    const wording = `ours <= peer + ${formatFigure(record, target.oursAtMostPeerPlus)}`;
    const over = record.ours / limit - 1;
    return { wording, miss: over > 0 ? `over by ${formatFigure(record, record.ours - limit)}` : '' };
  }
  const wording = `ours <= ${formatFigure(record, target.oursAtMost)}`;
  const over = record.ours / target.oursAtMost - 1;
  return { wording, miss: over > 0 ? `over by ${percent(over)}` : '' };
}

function render(results) {
  const targets = loadTargets([...new Set(results.map((r) => r.package))]);
  const misses = [];
  const rows = results.map((r) => {
    const target = targets.find((t) => t.pkg === r.package && t.case === r.case && t.peer === r.peerName);
    if (target) target.used = true;
    const { wording, miss } = target ? judge(r, target) : { wording: '', miss: '' };
    if (miss) misses.push(`- @x/${r.package}, ${r.case} vs ${r.peerName}: ratio ${r.ratio.toFixed(2)}, ${wording} asked, ${miss}. ${target.why}`);
    const met = !target ? '' : miss ? `**no**, ${miss}` : 'yes';
    const load = r.load === undefined ? '' : `, load ${r.load}`;
    return `| @x/${r.package} | ${r.case} | ${formatFigure(r, r.ours)} | ${r.peerName} ${formatFigure(r, r.peer)} | ${r.ratio.toFixed(2)} | ${wording} | ${met} | ${r.machine}${load} | ${r.date} |`;
  });
  for (const t of targets.filter((t) => !t.used)) console.warn(`warning: no result for the target "${t.case}" vs ${t.peer} (packages/${t.pkg}/bench/targets.json)`);
  return [
    '# Benchmark results',
    '',
    'Written by `pnpm bench`. Each figure is the median time of one operation or batch (or memory per item,',
    'in B); ours and the peer ran alternately in the same process run. Ratio = peer / ours: above 1 means x',
    "is faster (or smaller). Targets are the issues' (packages/*/bench/targets.json). The load is the",
    "1-minute load average when the case started (each waits up to 3 minutes for it to fall below 1.5 first)",
    'and when it ended: a figure that started above 1.5 is not a result.',
    '',
    '| package | case | ours | peer | ratio | target | met | machine | date |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    '## Targets missed in this run, and why',
    '',
    ...(misses.length ? misses : ['None.']),
    '',
  ].join('\n');
}

const resultsFile = join(root, 'bench', 'results.json');
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : [];

// `pnpm bench --render`: rewrite RESULTS.md from bench/results.json (after editing targets) without a run.
if (process.argv.includes('--render')) {
  writeFileSync(join(root, 'bench', 'RESULTS.md'), render(previous));
  console.log('rewrote bench/RESULTS.md from bench/results.json');
  process.exit(0);
}

// `pnpm bench [package ...]`: only the named packages run; the others keep their recorded results.
// `--file=TEXT`: only the bench files whose names hold TEXT run, and their cases replace what those
// files recorded before (and cases of the same name and peer); the package's other files' are kept.
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const fileFilter = process.argv.find((arg) => arg.startsWith('--file='))?.slice('--file='.length);
const unknown = only.filter((pkg) => !existsSync(join(root, 'packages', pkg, 'bench')));
if (unknown.length) {
  console.error(`No benchmarks for ${unknown.join(', ')}: name packages by their folder (packages/<name>/bench).`);
  process.exit(2);
}

const out = join(tmpdir(), `x-bench-${process.pid}.jsonl`);
rmSync(out, { force: true });
const failures = [];
const records = [];
const machine = `${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, node ${process.version}`;
const date = new Date().toISOString().slice(0, 10);
/** The 1-minute load average: benchmarks run alone, so a figure taken under load is not a result. */
const load = () => loadavg()[0].toFixed(2);
console.log(`load average at the start: ${loadavg().map((figure) => figure.toFixed(2)).join(', ')}`);
for (const { pkg, file } of benchFiles(only, fileFilter)) {
  const loadAtStart = load();
  console.log(`\n# ${relative(root, file)} (load ${loadAtStart})`);
  rmSync(out, { force: true });
  const run = spawnSync(process.execPath, ['--import', tsx, file], {
    cwd: dirname(file),
    stdio: 'inherit',
    env: { ...process.env, X_BENCH_OUT: out },
  });
  if (run.status !== 0) failures.push(`${relative(root, file)} (exit ${run.status ?? run.signal})`);
  const loadAtEnd = load();
  console.log(`# ${relative(root, file)} done (load ${loadAtEnd})`);
  if (existsSync(out)) {
    // A record from the harness carries the load of its own case (settle()); one a bench file wrote itself, the file's.
    for (const line of readFileSync(out, 'utf8').split('\n').filter(Boolean)) records.push({ package: pkg, load: `${loadAtStart} to ${loadAtEnd}`, ...JSON.parse(line), machine, date, file: relative(root, file) });
  }
}
rmSync(out, { force: true });
mkdirSync(join(root, 'bench'), { recursive: true });
const ran = new Set(records.map((r) => r.package));
const key = (r) => `${r.package}\n${r.case}\n${r.peerName}`;
const replaced = new Set(records.map(key));
const reran = new Set(records.map((r) => r.file));
const kept = fileFilter === undefined ? previous.filter((r) => !ran.has(r.package)) : previous.filter((r) => !replaced.has(key(r)) && !reran.has(r.file));
const results = [...kept, ...records].sort((a, b) => a.package.localeCompare(b.package));
writeFileSync(join(root, 'bench', 'RESULTS.md'), render(results));
writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote bench/RESULTS.md (${records.length} cases); load average at the end: ${loadavg().map((figure) => figure.toFixed(2)).join(', ')}`);
if (failures.length) {
  console.error(`benchmarks that failed to run: ${failures.join(', ')}`);
  process.exitCode = 1;
}
