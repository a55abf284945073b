// @x/remote's file transfers (pushFile, fetchFile), side by side in one run: a local context against
// `cp` on the same disk (the limit), against itself checking by sha256 instead of xxh3-128, and against
// mitogen's FileService (Debian's 0.3.3 and the newest, judged against the faster: mitogen.ts); over ssh
// to a loopback sshd against `scp` with the same user, key and port, and mitogen over the same ssh; and
// the call round trip while
// a push runs, the cost of the transfer window (WINDOW_SIZE in src/files/transfer.ts) to calls on the same
// context. Every side ends with the copy fsynced, as pushFile and fetchFile commit theirs (cp and scp
// are followed by an fsync of the copy, mitogen's script fsyncs and renames its own), and every side reads the same
// source, cached after it is written. scp's figure includes its ssh connection (our context is connected
// beforehand), a small share of the transfer. X_BENCH_FILE_MIB sets the file size (default 256, issue 23's row).
import { execFile, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { chmodSync, chownSync, closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BatchSide, compareBatches } from '@x/bench';
import { createXXHash128 } from 'hash-wasm';
import { createUser, sshdUnavailableReason, startSshd } from '@x/test-env/sshd';
import { type Checksum, type Context, Router } from '../src/index.js';
import { type Mitogen, fasterMitogen, findMitogens, python } from './mitogen.js';

const run = promisify(execFile);
const tasks = new URL('./tasks.ts', import.meta.url);
const mitogens = findMitogens('file benchmarks');

const sizeMiB = Number(process.env.X_BENCH_FILE_MIB ?? 256);
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

/** The source's digests, by checksum. */
type Digests = Record<'sha256' | 'xxh128', string>;

/** Writes `size` random bytes to `path` (fsynced) and gives their digests. */
async function writeSource(path: string): Promise<Digests> {
  const hash = createHash('sha256');
  const xxh = await createXXHash128();
  xxh.init();
  const block = Buffer.allocUnsafe(16 * 2 ** 20);
  const fd = openSync(path, 'w', 0o644);
  try {
    for (let left = size; left > 0; left -= block.length) {
      const piece = block.subarray(0, Math.min(block.length, left));
      randomFillSync(piece);
      hash.update(piece);
      xxh.update(piece);
      writeSync(fd, piece);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), xxh128: xxh.digest('hex') };
}

/** One figure from bench/mitogen_files.py under the mitogen given: ms for one transfer (see its header). */
function mitogen(withMitogen: Mitogen, direction: 'push' | 'fetch', source: string, destination: string, ssh: string[] = []): number {
  rmSync(destination, { force: true });
  const script = fileURLToPath(new URL('./mitogen_files.py', import.meta.url));
  const result = spawnSync(python, [script, direction, source, destination, ...ssh], { encoding: 'utf8', env: withMitogen.env });
  if (result.status !== 0) throw new Error(`mitogen_files.py ${direction} (mitogen ${withMitogen.version}) failed: ${result.stderr}`);
  checkCopy(destination, `mitogen ${withMitogen.version} ${direction}`);
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
 * checked against the source's size and digest.
 */
const ours = (ctx: Context, direction: Direction, copy: string, digests: Digests, checksum?: Checksum) => async (): Promise<number> => {
  rmSync(copy, { force: true });
  const options = checksum === undefined ? {} : { checksum };
  const start = performance.now();
  const result = await (direction === 'push' ? ctx.pushFile(source, copy, options) : ctx.fetchFile(source, copy, options));
  const took = performance.now() - start;
  if (result.bytes !== size || result.digest !== digests[result.checksum]) throw new Error(`${direction} gave ${result.bytes} bytes, ${result.checksum} ${result.digest}; the source is ${size} bytes, ${digests[result.checksum]}`);
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

/** One transfer case against its peers, figures shown as MiB/s; `once`: a single round, no warm-up (mitogen 0.3.3 takes over a minute per GiB). */
const transferCase = (name: string, run: () => Promise<number>, peers: BatchSide[], once = false): Promise<unknown> =>
  compareBatches({ name, ours: { run }, peers, rounds: once ? 1 : 3, warmup: once ? 0 : 1, describe: rate });

/** Our push and fetch against mitogen's FileService (the faster of the mitogens), same context kind, same file. */
async function mitogenCases(ctx: Context, where: (direction: Direction) => string, copies: Record<Direction, string>, digests: Digests, login?: string[]): Promise<void> {
  if (mitogens.length === 0) return;
  for (const direction of ['push', 'fetch'] as const) {
    const how = direction === 'push' ? 'the child fetches from the parent' : 'the parent fetches from the child';
    const peers = fasterMitogen(mitogens, `FileService${login ? ' over ssh' : ''}, ${how}${login ? '' : ', local()'}`, (withMitogen) => mitogen(withMitogen, direction, source, copies[direction], login));
    // The push to a local context is issue 23's target against the newest mitogen: it gets rounds like
    // the other cases; the rest run once, as 0.3.3 moves 10-70 MiB/s there.
    const once = login !== undefined || direction === 'fetch';
    await transferCase(`remote: ${direction} ${sizeMiB} MiB ${where(direction)} vs mitogen${once ? ' (one round)' : ''}`, ours(ctx, direction, copies[direction], digests), peers, once);
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

async function roundTripCase(ctx: Context, where: string, copy: string, digests: Digests): Promise<void> {
  await compareBatches({
    name: `remote: call round trip while a ${sizeMiB} MiB push runs, ${where} (99th percentile)`,
    ours: { run: () => tripsDuring(ctx, 'during a push', ours(ctx, 'push', copy, digests)) },
    peers: [{ name: 'the same call with no transfer running', run: () => tripsDuring(ctx, 'idle') }],
    rounds: 3,
  });
}

try {
  const start = performance.now();
  const digests = await writeSource(source);
  console.log(`wrote the ${sizeMiB} MiB random source in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  const cp = { name: 'cp --reflink=never on the same disk, then fsync of the copy', run: command('cp', ['--reflink=never', source, localCopy], localCopy) };

  const local = await router.local({ name: 'files' });
  const sha256 = (direction: Direction): BatchSide => ({ name: `x itself, checked by sha256 (checksum: 'sha256')`, run: ours(local, direction, localCopy, digests, 'sha256') });
  await transferCase(`remote: push ${sizeMiB} MiB to a local context`, ours(local, 'push', localCopy, digests), [cp, sha256('push')]);
  await transferCase(`remote: fetch ${sizeMiB} MiB from a local context`, ours(local, 'fetch', localCopy, digests), [cp, sha256('fetch')]);
  await mitogenCases(local, (direction) => (direction === 'push' ? 'to a local context' : 'from a local context'), { push: localCopy, fetch: localCopy }, digests);
  await roundTripCase(local, 'local context', localCopy, digests);
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
    await transferCase(`remote: push ${sizeMiB} MiB over ssh to localhost`, ours(remote, 'push', remoteCopy, digests), [scp([source, `${host}:${remoteCopy}`], remoteCopy)]);
    await transferCase(`remote: fetch ${sizeMiB} MiB over ssh from localhost`, ours(remote, 'fetch', localCopy, digests), [scp([`${host}:${source}`, localCopy], localCopy)]);
    const login = [String(sshd.port), account.name, sshd.clientKey];
    await mitogenCases(remote, (direction) => (direction === 'push' ? 'over ssh to localhost' : 'over ssh from localhost'), { push: remoteCopy, fetch: localCopy }, digests, login);
    await roundTripCase(remote, 'ssh context', remoteCopy, digests);
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
