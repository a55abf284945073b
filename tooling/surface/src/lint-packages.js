#!/usr/bin/env node
// pnpm lint:packages: publint --strict and @arethetypeswrong/cli --pack --profile esm-only on every public
// package of the workspace, as each would be published (both pack it first). Exits 1 if either reports a
// problem for any package; the packages must be built (the root script builds them first).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { publicPackages, root } from './index.js';

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const checks = [
  { name: 'publint', argv: [bin('publint'), '--strict'] },
  { name: 'attw', argv: [bin('attw'), '--pack', '--profile', 'esm-only'] },
];

// Packing runs no scripts: @x/native's prepack compiles its prebuilt binary (minutes), and what these
// tools check (the manifest, the entry points and their types) is the same without it.
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', npm_config_ignore_scripts: 'true' };

const failures = [];
for (const { dir, manifest } of publicPackages()) {
  for (const check of checks) {
    const run = spawnSync(check.argv[0], check.argv.slice(1), { cwd: dir, encoding: 'utf8', env });
    const ok = run.status === 0;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${check.name} ${manifest.name}`);
    if (!ok) {
      failures.push(`${check.name} ${manifest.name}`);
      process.stdout.write(`${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? `${run.error.message}\n` : ''}\n`);
    }
  }
}
if (failures.length > 0) {
  console.log(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nevery public package passes publint --strict and attw --profile esm-only');
