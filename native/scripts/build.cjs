'use strict';
// The package's install script: build the addon once, offline.
// node-gyp downloads Node's headers unless told where they are, and this machine
// (like many CI sandboxes) has no route to nodejs.org, so we pass --nodedir when
// the running Node ships its own headers.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const force = process.argv.includes('--force');

function alreadyBuilt() {
  try {
    require('node-gyp-build')(root);
    return true;
  } catch {
    return false;
  }
}

// A binary older than a source file is stale (turbo reruns this script when sources change).
function stale() {
  const binary = path.join(root, 'build', 'Release', 'x_native.node');
  if (!fs.existsSync(binary)) return false;
  const built = fs.statSync(binary).mtimeMs;
  const sources = ['binding.gyp', ...fs.readdirSync(path.join(root, 'src')).map((name) => path.join('src', name))];
  return sources.some((source) => fs.statSync(path.join(root, source)).mtimeMs > built);
}

if (!force && !stale() && alreadyBuilt()) process.exit(0);

const prefix = path.dirname(path.dirname(process.execPath));
const args = ['rebuild'];
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
const result = spawnSync(process.execPath, [nodeGyp, ...args], { cwd: root, stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
