'use strict';
// Loads the compiled addon from a package directory, and explains itself when it
// cannot: a missing binary gets ERR_X_NATIVE_MISSING with the command that builds
// it; a binary that exists but fails to load is rethrown as it is, so a broken
// build is never reported as a missing one.
const fs = require('node:fs');
const path = require('node:path');
const nodeGypBuild = require('node-gyp-build');

const REBUILD_COMMAND = 'pnpm --filter @x/native rebuild';
// A copy installed from the registry or a tarball (no prebuilt binary fitted and its install script could
// not build one) is rebuilt by its package manager, which reruns that script.
const INSTALLED_REBUILD_COMMAND = 'npm rebuild @x/native';

function loadBinding(dir) {
  try {
    return nodeGypBuild(dir);
  } catch (cause) {
    const message = String(cause && cause.message);
    if (!/No native build was found/.test(message)) throw cause;
    const tried = [path.join(dir, 'build', 'Release'), path.join(dir, 'build', 'Debug'), path.join(dir, 'prebuilds')]
      .map((p) => `${p}${fs.existsSync(p) ? '' : ' (absent)'}`);
    const command = path.resolve(dir).split(path.sep).includes('node_modules') ? INSTALLED_REBUILD_COMMAND : REBUILD_COMMAND;
    const error = new Error(
      `The @x/native addon is not built for this platform (node ${process.version}, ${process.platform}-${process.arch}). ` +
        `Tried: ${tried.join(', ')}. Run \`${command}\` (needs python3, make and g++) to build it.`,
      { cause },
    );
    error.code = 'ERR_X_NATIVE_MISSING';
    error.command = command;
    throw error;
  }
}

module.exports = { loadBinding, REBUILD_COMMAND, INSTALLED_REBUILD_COMMAND };
