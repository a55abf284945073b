// `pnpm example [name ...]`: runs the named examples (all when none is named), each
// in its own process, and fails if any of them fails.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(dir)
  .filter((file) => file.endsWith('.js') && file !== 'run.js')
  .map((file) => file.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`No example named ${unknown.join(', ')}. Examples: ${all.join(', ')}.`);
  process.exit(2);
}
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  console.log(`\n## example: ${name}`);
  const run = spawnSync(process.execPath, [join(dir, `${name}.js`)], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed++;
    console.error(`example ${name} failed (${run.signal ?? `exit ${run.status}`})`);
  }
}
process.exitCode = failed ? 1 : 0;
