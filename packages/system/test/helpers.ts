// Running the real x binary (dist/x.js, built by `pnpm build`) in a child process, and finding every
// process a run left behind: each run carries a unique environment variable that x's contexts and the
// commands they start inherit, so /proc tells which processes belong to it, whoever their parent is.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

export const xBin = fileURLToPath(new URL('../bin/x.js', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const tasks = `${fixtures}tasks.ts`;

export interface XResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  marker: string;
}

export interface XOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The node binary that runs x (default: the one running the tests). */
  node?: string;
  /** x's whole stdin (default: none, /dev/null). */
  input?: string | Buffer;
}

/** Starts `x args...`; `marker` names the run for {@link processesOf}. */
export function startX(args: string[], options: XOptions = {}): { child: ChildProcess; marker: string; result: Promise<XResult>; stderr: () => string } {
  const marker = randomUUID();
  const child = spawn(options.node ?? process.execPath, [xBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env, X_TEST_MARKER: marker },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin!.end(options.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const result = new Promise<XResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, marker })));
  return { child, marker, result, stderr: () => stderr };
}

/** Runs `x args...` to its end and checks that it left no process behind. */
export async function x(args: string[], options: XOptions = {}): Promise<XResult> {
  const outcome = await startX(args, options).result;
  await expectNoneLeft(outcome.marker);
  return outcome;
}

/** The pids of the processes that carry the run's marker in their environment. */
export function processesOf(marker: string): { pid: number; command: string }[] {
  const found: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`X_TEST_MARKER=${marker}`)) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim() });
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

/** Waits (up to 5 s) for every process of the run to be gone; throws naming those that are not. */
export async function expectNoneLeft(marker: string): Promise<void> {
  let left = processesOf(marker);
  for (let waited = 0; left.length && waited < 5_000; waited += 50) {
    await sleep(50);
    left = processesOf(marker);
  }
  if (left.length) throw new Error(`x left ${left.length} process(es) behind: ${left.map((p) => `${p.pid} ${p.command.slice(0, 80)}`).join('; ')}`);
}

/** Waits (up to `ms`) until `predicate` holds. */
export async function until(predicate: () => boolean, ms = 20_000): Promise<void> {
  for (let waited = 0; !predicate(); waited += 20) {
    if (waited > ms) throw new Error(`gave up waiting after ${ms} ms`);
    await sleep(20);
  }
}

/** The --json lines of a run, parsed. */
export function jsonLines(stdout: string): Record<string, any>[] {
  return stdout.trimEnd().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>);
}

/** Each file and directory under `dir` with its type, mode, owner and content, hashed: equal when nothing changed. */
export function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (path: string, name: string) => {
    const info = lstatSync(path);
    hash.update(`${name}\0${info.mode}\0${info.uid}:${info.gid}\0`);
    if (info.isDirectory()) for (const entry of readdirSync(path).sort()) walk(join(path, entry), `${name}/${entry}`);
    else if (info.isSymbolicLink()) hash.update(readlinkSync(path));
    else hash.update(readFileSync(path));
  };
  walk(dir, '.');
  return hash.digest('hex');
}

/** The `status  resource name` of each of a target's resource lines on stdout, in order. */
export function resourceLines(stdout: string, target = 'local'): string[] {
  return stdout
    .split('\n')
    // Names are padded to the longest target's.
    .filter((line) => line.startsWith(`${target} `) && /^ *\| /.test(line.slice(target.length)))
    .map((line) => line.slice(line.indexOf('| ') + 2))
    .filter((line) => /^(ok|changed|failed) /.test(line))
    .map((line) => line.replace(/ {2}\(.*\)$/, '').replace(/ +/, ' '));
}
