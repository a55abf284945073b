// The mitogens the remote benchmarks compare with: Debian's python3-mitogen (0.3.3, when /usr/bin/python3
// imports it) and the newest source, from MITOGEN_SRC (a directory holding `mitogen/`, or a tarball of
// it, extracted to a temporary directory) or else the tarball in ../shared/peers beside the repository.
// 0.3.3 is far slower than the newest in places (file transfers), so a target is judged against the
// faster of the two: each case has one peer, "the faster mitogen", whose figure is the smaller of theirs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BatchSide } from '@x/bench';

export const python = '/usr/bin/python3';

/** One mitogen python can import: its version and the environment that makes python import it. */
export interface Mitogen {
  version: string;
  env: NodeJS.ProcessEnv;
}

const repository = fileURLToPath(new URL('../../../', import.meta.url));

/** The version of the mitogen python imports in `env`, or undefined when it imports none. */
function versionIn(env: NodeJS.ProcessEnv): string | undefined {
  const run = spawnSync(python, ['-c', "import mitogen; print('.'.join(map(str, mitogen.__version__)))"], { encoding: 'utf8', env });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The directory to put on PYTHONPATH for the newest mitogen, or a reason it is absent. */
function newestSource(): { dir: string } | { missing: string } {
  let source = process.env['MITOGEN_SRC'];
  if (source === undefined || source === '') {
    const peers = resolve(repository, '../shared/peers');
    const tarball = existsSync(peers) ? readdirSync(peers).find((name) => /^mitogen-.*\.tar\.gz$/.test(name)) : undefined;
    if (tarball === undefined) return { missing: `MITOGEN_SRC is not set and ${peers} holds no mitogen-*.tar.gz` };
    source = join(peers, tarball);
  }
  if (!existsSync(source)) return { missing: `MITOGEN_SRC=${source} does not exist` };
  if (statSync(source).isDirectory()) return { dir: source };
  const dir = mkdtempSync(join(tmpdir(), 'x-bench-mitogen-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const untar = spawnSync('tar', ['-xzf', source, '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0) return { missing: `tar could not extract ${source}: ${untar.stderr.trim()}` };
  // The tarball may hold mitogen/ at its top or inside one directory.
  if (existsSync(join(dir, 'mitogen'))) return { dir };
  const inner = readdirSync(dir).find((name) => existsSync(join(dir, name, 'mitogen')));
  return inner === undefined ? { missing: `${source} holds no mitogen/ package` } : { dir: join(dir, inner) };
}

/** The mitogens this machine has, oldest first; prints why one is missing (`benches` names the file's cases). */
export function findMitogens(benches: string): Mitogen[] {
  const found: Mitogen[] = [];
  const plain: NodeJS.ProcessEnv = { ...process.env };
  delete plain['PYTHONPATH'];
  const debian = versionIn(plain);
  if (debian === undefined) console.log(`Debian's mitogen skipped in the ${benches}: ${python} cannot import mitogen (apt-get install python3-mitogen)`);
  else found.push({ version: debian, env: plain });
  const newest = newestSource();
  if ('missing' in newest) {
    console.log(`the newest mitogen skipped in the ${benches}: ${newest.missing} (set MITOGEN_SRC to its source directory or tarball)`);
  } else {
    const env = { ...plain, PYTHONPATH: newest.dir };
    const version = versionIn(env);
    if (version === undefined) console.log(`the newest mitogen skipped in the ${benches}: ${python} cannot import mitogen from ${newest.dir}`);
    else if (version !== debian) found.push({ version, env });
  }
  if (found.length > 0) console.log(`mitogen in the ${benches}: ${found.map((mitogen) => mitogen.version).join(' and ')}; each case is judged against the faster`);
  return found;
}

/**
 * The peer "the faster mitogen (`name`)": each round runs `run` once per mitogen and gives the smaller
 * figure, printing both. Empty when no mitogen is present.
 */
export function fasterMitogen(mitogens: Mitogen[], name: string, run: (mitogen: Mitogen) => number | Promise<number>): BatchSide[] {
  if (mitogens.length === 0) return [];
  return [
    {
      name: `the faster mitogen (${name})`,
      run: async () => {
        const figures: number[] = [];
        for (const mitogen of mitogens) figures.push(await run(mitogen));
        if (figures.length > 1) console.log(`  ${name}: ${mitogens.map((mitogen, k) => `mitogen ${mitogen.version} ${figures[k]!.toFixed(3)}`).join(', ')}`);
        return Math.min(...figures);
      },
    },
  ];
}
