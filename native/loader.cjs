'use strict';
// Loads the compiled addon from a package directory, and explains itself when it
// cannot: a missing binary gets ERR_X_NATIVE_MISSING with the command that builds
// it; a binary that exists but fails to load is rethrown as it is, so a broken
// build is never reported as a missing one.
const fs = require('node:fs');
const path = require('node:path');
const nodeGypBuild = require('node-gyp-build');

const REBUILD_COMMAND = 'pnpm --filter @x/native rebuild';

function loadBinding(dir) {
  try {
    return nodeGypBuild(dir);
  } catch (cause) {
    const message = String(cause && cause.message);
    if (!/No native build was found/.test(message)) throw cause;
    const tried = [path.join(dir, 'prebuilds'), path.join(dir, 'build', 'Release'), path.join(dir, 'build', 'Debug')]
      .map((p) => `${p}${fs.existsSync(p) ? '' : ' (absent)'}`);
    const error = new Error(
      `The @x/native addon is not built for this platform (node ${process.version}, ${process.platform}-${process.arch}). ` +
        `Tried: ${tried.join(', ')}. Run \`${REBUILD_COMMAND}\` (needs python3, make and g++) to build it.`,
      { cause },
    );
    error.code = 'ERR_X_NATIVE_MISSING';
    error.command = REBUILD_COMMAND;
    throw error;
  }
}

module.exports = { loadBinding, REBUILD_COMMAND };
