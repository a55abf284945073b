'use strict';
// `build:prebuilds` (run by `prepack`, so every tarball carries it): builds the addon with
// `prebuildify --napi --strip --tag-libc` into prebuilds/<platform>-<arch>/, where node-gyp-build finds
// it, so installing the tarball on this platform needs no compiler. One N-API build serves every Node
// version; the libc tag keeps a glibc binary away from musl, which builds from source instead.
//
// prebuildify builds in its working directory's build/, and tests in this repository load build/Release
// while they run, so the build happens in a copy of the package in a temporary directory.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'x-native-prebuild-'));

function fail(message) {
  console.error(`@x/native prebuild: ${message}`);
  process.exitCode = 1;
}

try {
  const copy = path.join(work, 'package');
  fs.mkdirSync(copy);
  for (const entry of ['package.json', 'binding.gyp', 'src']) {
    fs.cpSync(path.join(root, entry), path.join(copy, entry), { recursive: true });
  }
  // binding.gyp asks node for node-addon-api's gyp target, resolved from the package directory.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'), 'dir');

  const env = { ...process.env, PREBUILD_NODE_GYP: require.resolve('node-gyp/bin/node-gyp.js') };
  // As scripts/build.cjs: the running Node's own headers, or node-gyp would download them.
  const prefix = path.dirname(path.dirname(process.execPath));
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;

  const prebuildify = require.resolve('prebuildify/bin.js');
  const out = path.join(work, 'out');
  const args = [prebuildify, '--napi', '--strip', '--tag-libc', '--cwd', copy, '--out', out];
  const result = spawnSync(process.execPath, args, { env, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    fail(`prebuildify failed (${result.error ? result.error.message : `exit ${result.status}`}); it needs python3, make, g++ and strip`);
  } else {
    const built = path.join(out, 'prebuilds');
    // A prebuild that does not load must never be packed: a user would get it instead of a source build.
    const [platform] = fs.readdirSync(built);
    const [file] = fs.readdirSync(path.join(built, platform));
    const binding = require(path.join(built, platform, file));
    if (typeof binding.setDisposition !== 'function') {
      fail(`${platform}/${file} loads but lacks setDisposition`);
    } else {
      fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
      fs.cpSync(built, path.join(root, 'prebuilds'), { recursive: true });
      console.log(`@x/native prebuild: prebuilds/${platform}/${file} (${fs.statSync(path.join(built, platform, file)).size} bytes)`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
