'use strict';
// Builds the addon from source into build/Release, offline.
//
// `node scripts/build.cjs` (the workspace's `build`): builds when build/Release has no binary or one older
// than a source file; `--force` always rebuilds. `--install` (the package's `install` script): does nothing
// when a binary already loads, which is the prebuilt one shipped in prebuilds/ wherever it fits; only
// otherwise (or with npm_config_build_from_source=true) builds from source. Installed as a dependency, a
// failed build does not fail the user's install: loading then throws ERR_X_NATIVE_MISSING, which says
// what to run, and @x/signals still works without the addon.
//
// node-gyp downloads Node's headers unless told where they are, and many machines and CI sandboxes have
// no route to nodejs.org, so we pass --nodedir when the running Node ships its own headers.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const force = process.argv.includes('--force');
const install = process.argv.includes('--install');
// Installed from a tarball (under node_modules) rather than worked on in the repository.
const asDependency = root.split(path.sep).includes('node_modules');
const binary = path.join(root, 'build', 'Release', 'x_native.node');

function loads(load) {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

// A binary older than a source file is stale (turbo reruns this script when sources change).
function stale() {
  const built = fs.statSync(binary).mtimeMs;
  const sources = ['binding.gyp', ...fs.readdirSync(path.join(root, 'src')).map((name) => path.join('src', name))];
  return sources.some((source) => fs.statSync(path.join(root, source)).mtimeMs > built);
}

function upToDate() {
  if (install && asDependency && process.env.npm_config_build_from_source !== 'true') {
    // node-gyp-build tries build/Release, then prebuilds/ for this platform, arch and libc.
    return loads(() => require('node-gyp-build')(root));
  }
  // In the repository the addon is always built from its sources, never taken from a packed prebuild.
  return fs.existsSync(binary) && !stale() && loads(() => require(binary));
}

// The workspace has node-gyp as a devDependency; an installed copy uses the node-gyp that npm and pnpm
// put on PATH for install scripts.
function nodeGypCommand() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js')];
  } catch {
    return ['node-gyp'];
  }
}

function nodeGypArgs() {
  const args = ['rebuild'];
  const prefix = path.dirname(path.dirname(process.execPath));
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
  return args;
}

if (!force && upToDate()) process.exit(0);

const [command, ...first] = nodeGypCommand();
const result = spawnSync(command, [...first, ...nodeGypArgs()], { cwd: root, stdio: 'inherit' });
const status = result.error ? 1 : (result.status ?? 1);
if (status !== 0 && install && asDependency) {
  console.error(
    `@x/native: no prebuilt binary fits ${process.platform}-${process.arch} here and building from source failed ` +
      `(${result.error ? result.error.message : `node-gyp exited with ${status}`}). Install python3, make and g++, then ` +
      `run \`npm rebuild @x/native\` (or \`pnpm rebuild @x/native\`). Until then, loading @x/native fails.`,
  );
  process.exit(0);
}
if (result.error) throw result.error;
process.exit(status);
