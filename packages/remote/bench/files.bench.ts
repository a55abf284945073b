// @x/remote's file transfers (pushFile, fetchFile), side by side in one run: a local context against
// `cp` on the same disk (the limit) and mitogen 0.3.3's FileService; over ssh to a loopback sshd against
// `scp` with the same user, key and port, and mitogen over the same ssh; and the call round trip while
// a push runs, the cost of the transfer window (WINDOW_SIZE in src/files/transfer.ts) to calls on the same
// context. Every side ends with the copy fsynced, as pushFile and fetchFile commit theirs (cp and scp
// are followed by an fsync of the copy, mitogen's script fsyncs its own), and every side reads the same
// source, cached after it is written. scp's figure includes its ssh connection (our context is connected
// beforehand), a small share of a GiB. X_BENCH_FILE_MIB sets the file size (default 1024).
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BatchSide, compareBatches } from '@x/bench';
import { createUser, sshdUnavailableReason, startSshd } from '@x/test-env/sshd';
import { type Context, Router } from '../src/index.js';

const run = promisify(execFile);
const tasks = new URL('./tasks.ts', import.meta.url);
const python = '/usr/bin/python3';
const hasMitogen = spawnSync(python, ['-c', 'import mitogen'], { stdio: 'ignore' }).status === 0;
if (!hasMitogen) console.log(`mitogen skipped in the file benchmarks: ${python} cannot import mitogen (apt-get install python3-mitogen)`);

const sizeMiB = Number(process.env.X_BENCH_FILE_MIB ?? 1024);
if (!Number.isInteger(sizeMiB) || sizeMiB < 1) {
  console.error(`X_BENCH_FILE_MIB must be a whole number of MiB, at least 1 (got '${process.env.X_BENCH_FILE_MIB}')`);
  process.exit(2);
}
const size = sizeMiB * 2 ** 20;
console.log('The machine may be shared: compare the ratios within this run, not figures across runs.');
console.log(`Files of ${sizeMiB} MiB; each figure is the time of one whole transfer, ratio = peer time / ours = our MiB/s / the peer's.`);

// Contexts must not load tsx, which `pnpm bench` runs this file under.
process.execArgv.length = 0;

const rate = (ms: number): string => ` (${(sizeMiB / (ms / 1000)).toFixed(0)} MiB/s)`;

/** Fsyncs `path`, as the copy pushFile and fetchFile commit is on disk before they resolve. */
function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function checkCopy(path: string, what: string): void {
  const got = statSync(path).size;
  if (got !== size) throw new Error(`${what} left ${got} bytes in ${path}, not ${size}`);
}

/** Writes `size` random bytes to `path` (fsynced) and gives their sha256. */
function writeSource(path: string): string {
  const hash = createHash('sha256');
  const block = Buffer.allocUnsafe(16 * 2 ** 20);
  const fd = openSync(path, 'w', 0o644);
  try {
    for (let left = size; left > 0; left -= block.length) {
      const piece = block.subarray(0, Math.min(block.length, left));
      randomFillSync(piece);
      hash.update(piece);
      writeSync(fd, piece);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** One figure from bench/mitogen_files.py: ms for one transfer (see its header). */
function mitogen(direction: 'push' | 'fetch', source: string, destination: string, ssh: string[] = []): number {
  rmSync(destination, { force: true });
  const script = fileURLToPath(new URL('./mitogen_files.py', import.meta.url));
  const result = spawnSync(python, [script, direction, source, destination, ...ssh], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mitogen_files.py ${direction} failed: ${result.stderr}`);
  checkCopy(destination, `mitogen ${direction}`);
  return (JSON.parse(result.stdout.trim().split('\n').pop()!) as { figure: number }).figure;
}

const dir = mkdtempSync(join(tmpdir(), 'x-bench-files-'));
// The ssh account reads the source and writes into remote/.
chmodSync(dir, 0o755);
const source = join(dir, 'source');
const localCopy = join(dir, 'copy');
const router = new Router({ logPrinter: false });
const cleanups: (() => unknown)[] = [];


type Direction = 'push' | 'fetch';

/**
 * ms for one of our transfers of the source into `copy` (pushed to the context, or fetched from it),
 * checked against the source's size and sha256.
 */
const ours = (ctx: Context, direction: Direction, copy: string, sha256: string) => async (): Promise<number> => {
  rmSync(copy, { force: true });
  const start = performance.now();
  const result = await (direction === 'push' ? ctx.pushFile(source, copy) : ctx.fetchFile(source, copy));
  const took = performance.now() - start;
  if (result.bytes !== size || result.sha256 !== sha256) throw new Error(`${direction} gave ${result.bytes} bytes, sha256 ${result.sha256}; the source is ${size} bytes, ${sha256}`);
  checkCopy(copy, direction);
  return took;
};

/** ms for a command that copies into `copy`, plus the fsync of the copy. */
const command = (file: string, args: string[], copy: string) => async (): Promise<number> => {
  rmSync(copy, { force: true });
  const start = performance.now();
  await run(file, args);
  fsyncFile(copy);
  const took = performance.now() - start;
  checkCopy(copy, file);
  return took;
};

/** One transfer case against one peer, figures shown as MiB/s. A single round for mitogen: over a minute per GiB. */
const transferCase = (name: string, run: () => Promise<number>, peer: BatchSide, once = false): Promise<unknown> =>
  compareBatches({ name, ours: { run }, peers: [peer], rounds: once ? 1 : 3, warmup: once ? 0 : 1, describe: rate });

/** Our push and fetch against mitogen's FileService, same context kind, same file. */
async function mitogenCases(ctx: Context, where: (direction: Direction) => string, copies: Record<Direction, string>, sha256: string, login?: string[]): Promise<void> {
  if (!hasMitogen) return;
  for (const direction of ['push', 'fetch'] as const) {
    const how = direction === 'push' ? 'the child fetches from the parent' : 'the parent fetches from the child';
    const peer = { name: `mitogen 0.3.3 (FileService${login ? ' over ssh' : ''}, ${how}${login ? '' : ', local()'})`, run: () => mitogen(direction, source, copies[direction], login) };
    await transferCase(`remote: ${direction} ${sizeMiB} MiB ${where(direction)} vs mitogen (one round)`, ours(ctx, direction, copies[direction], sha256), peer, true);
  }
}

/**
 * The 99th percentile of call round trips to `ctx` made one after another while `transfer` runs (or
 * `idleTrips` of them when there is none); prints the spread.
 */
async function tripsDuring(ctx: Context, label: string, transfer?: () => Promise<unknown>, idleTrips = 300): Promise<number> {
  const message = 'x'.repeat(64);
  const trips: number[] = [];
  let running = true;
  const moving = transfer?.().finally(() => (running = false));
  while (transfer === undefined ? trips.length < idleTrips : running) {
    const start = performance.now();
    await ctx.call(tasks, 'echo', message);
    trips.push(performance.now() - start);
  }
  await moving;
  trips.sort((a, b) => a - b);
  const at = (q: number): string => trips[Math.min(trips.length - 1, Math.floor(q * trips.length))]!.toFixed(2);
  console.log(`  ${label}: ${trips.length} calls, round trip ms p50 ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}, max ${at(1)}`);
  return Number(at(0.99));
}

async function roundTripCase(ctx: Context, where: string, copy: string, sha256: string): Promise<void> {
  await compareBatches({
    name: `remote: call round trip while a ${sizeMiB} MiB push runs, ${where} (99th percentile)`,
    ours: { run: () => tripsDuring(ctx, 'during a push', ours(ctx, 'push', copy, sha256)) },
    peers: [{ name: 'the same call with no transfer running', run: () => tripsDuring(ctx, 'idle') }],
    rounds: 3,
  });
}

try {
  const start = performance.now();
  const sha256 = writeSource(source);
  console.log(`wrote the ${sizeMiB} MiB random source in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  const cp = { name: 'cp --reflink=never on the same disk, then fsync of the copy', run: command('cp', ['--reflink=never', source, localCopy], localCopy) };

  const local = await router.local({ name: 'files' });
  await transferCase(`remote: push ${sizeMiB} MiB to a local context`, ours(local, 'push', localCopy, sha256), cp);
  await transferCase(`remote: fetch ${sizeMiB} MiB from a local context`, ours(local, 'fetch', localCopy, sha256), cp);
  await mitogenCases(local, (direction) => (direction === 'push' ? 'to a local context' : 'from a local context'), { push: localCopy, fetch: localCopy }, sha256);
  await roundTripCase(local, 'local context', localCopy, sha256);
  await local.shutdown();
  rmSync(localCopy, { force: true });

  const reason = sshdUnavailableReason();
  if (reason !== undefined) {
    console.log(`remote file benchmarks over ssh skipped: ${reason}`);
  } else {
    const sshd = await startSshd();
    cleanups.push(() => sshd.stop());
    const account = createUser('xrbfiles');
    cleanups.push(() => account.remove());
    const remoteDir = join(dir, 'remote');
    mkdirSync(remoteDir);
    const uid = Number(spawnSync('id', ['-u', account.name], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', account.name], { encoding: 'utf8' }).stdout.trim());
    chownSync(remoteDir, uid, gid);
    const remoteCopy = join(remoteDir, 'copy');
    const remote = await router.ssh({ hostname: '127.0.0.1', port: sshd.port, username: account.name, identityFile: sshd.clientKey, checkHostKeys: 'ignore', sshArgs: ['-F', '/dev/null'], nodePath: process.execPath });
    // scp takes ssh's options but the port as -P; the last of sshArgs is user@host. -O: the test sshd
    // serves no sftp subsystem, which scp uses by default since OpenSSH 9.0.
    const sshArgs = sshd.sshArgs(account.name);
    const host = sshArgs.pop()!;
    const scpArgs = ['-q', '-O', ...sshArgs.map((arg) => (arg === '-p' ? '-P' : arg))];
    const scp = (args: string[], copy: string): BatchSide => ({ name: 'scp -O (same user, key and port), then fsync of the copy', run: command('scp', [...scpArgs, ...args], copy) });
    await transferCase(`remote: push ${sizeMiB} MiB over ssh to localhost`, ours(remote, 'push', remoteCopy, sha256), scp([source, `${host}:${remoteCopy}`], remoteCopy));
    await transferCase(`remote: fetch ${sizeMiB} MiB over ssh from localhost`, ours(remote, 'fetch', localCopy, sha256), scp([`${host}:${source}`, localCopy], localCopy));
    const login = [String(sshd.port), account.name, sshd.clientKey];
    await mitogenCases(remote, (direction) => (direction === 'push' ? 'over ssh to localhost' : 'over ssh from localhost'), { push: remoteCopy, fetch: localCopy }, sha256, login);
    await roundTripCase(remote, 'ssh context', remoteCopy, sha256);
    await remote.shutdown();
  }
} finally {
  // A failing cleanup is reported, not thrown: it would hide the error that got here.
  for (const cleanup of [() => router.close(), ...cleanups.reverse(), () => rmSync(dir, { recursive: true, force: true })]) {
    try {
      await cleanup();
    } catch (error) {
      console.error('cleanup failed:', error);
      process.exitCode = 1;
    }
  }
}
