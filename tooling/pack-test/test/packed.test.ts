// "Install only the pieces you need", tried as a user tries it: every public package is packed with
// `pnpm pack` (which rewrites workspace: ranges and runs @x/native's prepack, the prebuild), then an empty
// project outside the workspace installs one package's tarball with npm (its @x dependencies come from
// their tarballs through npm overrides, as they would from the registry) and runs that package README's
// example. @x/native is installed with no compiler on PATH, so only a prebuilt binary can make it load.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

useLeakCheck();

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MINUTE = 60_000;

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  dependencies?: Record<string, string>;
}

interface Workspace {
  dir: string;
  manifest: Manifest;
}

/** The packages a user can install: every non-private package of the workspace. */
function publicPackages(): Map<string, Workspace> {
  const dirs = [join(root, 'native'), ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name))];
  const found = new Map<string, Workspace>();
  for (const dir of dirs) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (!manifest.private) found.set(manifest.name, { dir, manifest });
  }
  return found;
}

/** A package and every @x package it depends on, directly or not. */
function withDependencies(packages: Map<string, Workspace>, name: string, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  const workspace = packages.get(name);
  if (!workspace) throw new Error(`${name} is not a public package of this workspace`);
  for (const dependency of Object.keys(workspace.manifest.dependencies ?? {})) {
    if (dependency.startsWith('@x/')) withDependencies(packages, dependency, into);
  }
  return into;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function explain(what: string, result: Run): string {
  return `${what} ended with ${result.signal ?? `exit ${result.code}`}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

function onPath(name: string, path: string): string | undefined {
  return path.split(delimiter).map((dir) => join(dir, name)).find((file) => existsSync(file));
}

/** The README section whose first ```js block is the package's runnable example, for the packages tried here. */
const exampleSection: Record<string, string> = { '@x/latch': '## Example', '@x/process': '## Examples', '@x/system': '## Namespaces' };

/** The first ```js block under the package README's example heading. */
function readmeExample(name: string): string {
  const file = join(packages.get(name)!.dir, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const heading = exampleSection[name]!;
  const at = readme.split('\n').findIndex((line) => line === heading || line.startsWith(`${heading}:`));
  const block = at < 0 ? null : /^```js\n([\s\S]*?)^```$/m.exec(readme.split('\n').slice(at).join('\n'));
  if (!block?.[1]) throw new Error(`${file} has no \`\`\`js block under a "${heading}" heading: update exampleSection in this test`);
  return block[1];
}

const packages = publicPackages();
let work: string;
let tarballs: Map<string, string>;
let npmCli: string;
// npm's cache is shared with the user's (fast, and what a user has), but never their ~/.npmrc: its
// settings (here, nodedir) could make an install pass that fails for everyone else.
let userconfig: string;
// PATH for installing: node and sh only, so no compiler, make or python can be reached.
let bareBin: string;

/** The environment of a user in an empty project: no npm_config_* or pnpm variables from this run. */
function userEnv(path: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|INIT_CWD$|VITEST|NODE_OPTIONS$)/i.test(key)) env[key] = value;
  }
  return { ...env, PATH: path, npm_config_userconfig: userconfig, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

/** An empty project outside the workspace whose only dependency is `name`'s tarball; installed with npm. */
async function installAlone(name: string): Promise<string> {
  const project = mkdtempSync(join(work, `${name.replace('@x/', '')}-alone-`));
  const overrides = Object.fromEntries([...tarballs].map(([pkg, file]) => [pkg, `file:${file}`]));
  const manifest = { name: 'try-x', private: true, type: 'module', dependencies: { [name]: `file:${tarballs.get(name)}` }, overrides };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const install = await run(process.execPath, [npmCli, 'install', '--prefer-offline', '--foreground-scripts'], {
    cwd: project,
    env: userEnv(bareBin),
    timeoutMs: 5 * MINUTE,
  });
  expect(install.code, explain(`npm install ${name} (no compiler on PATH)`, install)).toBe(0);
  // Only the pieces it needs: the package and its @x dependencies, nothing more of x.
  const installed = readdirSync(join(project, 'node_modules', '@x')).map((dir) => `@x/${dir}`).sort();
  expect(installed).toEqual([...withDependencies(packages, name)].sort());
  return project;
}

async function runExample(name: string, project: string): Promise<Run> {
  const file = join(project, 'example.mjs');
  writeFileSync(file, readmeExample(name));
  const result = await run(process.execPath, [file], { cwd: project, env: userEnv(process.env.PATH ?? ''), timeoutMs: 2 * MINUTE });
  expect(result.code, explain(`${name}'s README example`, result)).toBe(0);
  return result;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'x-packed-'));
  userconfig = join(work, 'npmrc');
  writeFileSync(userconfig, '');
  bareBin = join(work, 'bin');
  mkdirSync(bareBin);
  symlinkSync(process.execPath, join(bareBin, 'node'));
  symlinkSync(onPath('sh', process.env.PATH ?? '') ?? '/bin/sh', join(bareBin, 'sh'));
  const npm = onPath('npm', process.env.PATH ?? '');
  if (!npm) throw new Error('npm is not on PATH: this test installs the tarballs as an npm user would');
  npmCli = realpathSync(npm);

  const destination = join(work, 'tarballs');
  tarballs = new Map();
  for (const [name, { dir, manifest }] of packages) {
    if (manifest.files?.includes('dist') && !existsSync(join(dir, 'dist', 'index.js'))) {
      throw new Error(`${name} is not built (${join(dir, 'dist')} is missing): run \`pnpm build\` first`);
    }
    const pack = await run('pnpm', ['pack', '--pack-destination', destination], { cwd: dir, timeoutMs: 10 * MINUTE });
    expect(pack.code, explain(`pnpm pack of ${name}`, pack)).toBe(0);
    const file = join(destination, `${name.slice(1).replace('/', '-')}-${manifest.version}.tgz`);
    expect(existsSync(file), `pnpm pack of ${name} made no ${file}:\n${pack.stdout}`).toBe(true);
    tarballs.set(name, file);
  }
}, 15 * MINUTE);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs, each installed alone in an empty project', () => {
  it('installs only @x/latch and runs its README example', async () => {
    const project = await installAlone('@x/latch');
    expect(readdirSync(join(project, 'node_modules')).filter((dir) => !dir.startsWith('.'))).toEqual(['@x']);
    const { stdout } = await runExample('@x/latch', project);
    const jobs = new Set([...stdout.matchAll(/job: (\d+)/g)].map((match) => Number(match[1])));
    expect([...jobs].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, job) => job));
  }, 5 * MINUTE);

  it('installs @x/process with no compiler on PATH (the prebuilt @x/native), and runs its README example', async () => {
    const project = await installAlone('@x/process');
    const native = join(project, 'node_modules', '@x', 'native');
    expect(existsSync(join(native, 'build')), 'the install compiled @x/native instead of using its prebuilt binary').toBe(false);
    const prebuilt = readdirSync(join(native, 'prebuilds', `${process.platform}-${process.arch}`));
    expect(prebuilt.filter((file) => file.endsWith('.node'))).toHaveLength(1);
    const { stdout } = await runExample('@x/process', project);
    const ptyOutput = /"on a terminal: \/dev\/pts\/\d+\\r\\n30 100\\r\\n"$/m;
    expect(stdout).toMatch(ptyOutput);

    // Where no prebuilt binary fits and nothing was built, loading says so and names the fix...
    renameSync(join(native, 'prebuilds'), join(native, 'prebuilds-elsewhere'));
    const probe = `try { require('@x/native'); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ code: e.code, command: e.command })); }`;
    const missing = await run(process.execPath, ['-e', probe], { cwd: project, env: userEnv(bareBin), timeoutMs: MINUTE });
    expect(JSON.parse(missing.stdout)).toEqual({ code: 'ERR_X_NATIVE_MISSING', command: 'npm rebuild @x/native' });

    // ...and that fix builds it from source, offline, with npm's own node-gyp (no devDependency of ours).
    const rebuild = await run(process.execPath, [npmCli, 'rebuild', '@x/native', '--foreground-scripts'], {
      cwd: project,
      env: userEnv(process.env.PATH ?? ''),
      timeoutMs: 10 * MINUTE,
    });
    expect(rebuild.code, explain('npm rebuild @x/native (from source)', rebuild)).toBe(0);
    expect(existsSync(join(native, 'build', 'Release', 'x_native.node'))).toBe(true);
    const built = await runExample('@x/process', project);
    expect(built.stdout).toMatch(ptyOutput);
  }, 15 * MINUTE);

  it('installs @x/system with all it depends on, runs its README example and its `x` command', async () => {
    const project = await installAlone('@x/system');
    const { stdout } = await runExample('@x/system', project);
    expect(stdout).toContain('hello from a child\n');
    expect(stdout).toContain('child exited with 0\n');

    // The README's first command, `x run --on 'local*N' module#export`, on a module of the user's own.
    writeFileSync(join(project, 'tasks.mjs'), 'export function hello(name) { return `hello ${name} from ${process.pid}`; }\n');
    const x = await run(join(project, 'node_modules', '.bin', 'x'), ['run', '--on', 'local*2', './tasks.mjs#hello', 'world'], {
      cwd: project,
      env: userEnv(process.env.PATH ?? ''),
      timeoutMs: 2 * MINUTE,
    });
    expect(x.code, explain('x run --on local*2', x)).toBe(0);
    expect(x.stdout.match(/^local-[12] \| hello world from \d+$/gm)).toHaveLength(2);
  }, 5 * MINUTE);
});
