// The cache of passed site typechecks: a second check of an unchanged site is a hit; any change that
// could change the result (the site, a file it imports, tsconfig.json, a new file that resolution now
// finds first, a package added) is a miss, and a type error is still caught after it; a corrupt cache
// entry is a miss; an unwritable home still checks (and caches in the temporary directory).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { typecheckSite } from '../src/x/site-typecheck.js';
import { repoRoot } from './helpers.js';

useLeakCheck();

const made: string[] = [];
const saved = { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
let cache: string;

beforeEach(() => {
  cache = temporary('x-typecheck-cache-');
  process.env.XDG_CACHE_HOME = cache;
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporary(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A project with TypeScript and Node's types in its node_modules, and a writer of its files. */
function project(): { dir: string; write: (name: string, text: string) => string } {
  const dir = temporary('x-typecheck-test-');
  mkdirSync(join(dir, 'node_modules', '@types'), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'));
  symlinkSync(join(repoRoot, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
  return {
    dir,
    write(name, text) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    },
  };
}

const check = (site: string, dir: string) => typecheckSite(site, dir);

/** Checks `site` twice: the first check runs TypeScript, the second is a cache hit. */
async function checkedThenCached(site: string, dir: string): Promise<void> {
  expect(await check(site, dir)).toBe('checked');
  expect(await check(site, dir)).toBe('cached');
}

describe('the site typecheck cache', () => {
  it('a second check of an unchanged site is a hit; an edit to the site is a miss, and its type error is caught', async () => {
    const { dir, write } = project();
    const site = write('site.ts', `import { port } from './conf.js';\nexport default function site(): number { return port; }\n`);
    write('conf.ts', 'export const port: number = 8080;\n');
    await checkedThenCached(site, dir);
    // The entry is private to the user.
    expect(statSync(join(cache, 'x')).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(join(cache, 'x'))) expect(statSync(join(cache, 'x', name)).mode & 0o777).toBe(0o600);

    write('site.ts', `import { port } from './conf.js';\nexport default function site(): string { return port; }\n`);
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE', message: expect.stringMatching(/site\.ts:2:\d+ .*'number' is not assignable to type 'string'/) });
    // A failed check is not cached: it fails again.
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE' });
  });

  it('an edit to an imported file is a miss, and the type error it makes is caught', async () => {
    const { dir, write } = project();
    const site = write('site.ts', `import { port } from './lib/conf.js';\nexport default function site(): number { return port; }\n`);
    write('lib/conf.ts', 'export const port: number = 8080;\n');
    await checkedThenCached(site, dir);
    write('lib/conf.ts', "export const port: string = '8080';\n");
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE' });
  });

  it('trusts a settled file by its stamp, and still sees a rewrite that kept its size and modification time', async () => {
    const { dir, write } = project();
    const conf = write('conf.ts', 'export const port: number = 8080;\n');
    const site = write('site.ts', `import { port } from './conf.js';\nexport default function site(): number { return port; }\n`);
    // Stamps are kept for files unchanged for a second before they were read.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await checkedThenCached(site, dir);
    const [entry] = readdirSync(join(cache, 'x')).map((name) => JSON.parse(readFileSync(join(cache, 'x', name), 'utf8')) as { stamps: [string, string][] });
    expect(new Map(entry!.stamps).has(conf)).toBe(true);
    // Same length, same mtime: only the change time (which utimes cannot set back) tells.
    const before = statSync(conf);
    writeFileSync(conf, 'export const port: string = 8080;\n');
    utimesSync(conf, before.atime, before.mtime);
    expect(statSync(conf).size).toBe(before.size);
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE' });
  });

  it('an edit to tsconfig.json is a miss, and the stricter options are applied', async () => {
    const { dir, write } = project();
    write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: false, module: 'nodenext', types: ['node'] } }));
    const site = write('site.ts', 'export default function site(x) { return x; }\n');
    await checkedThenCached(site, dir);
    write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', types: ['node'] } }));
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE', message: expect.stringContaining("implicitly has an 'any' type") });
  });

  it('a new file that module resolution now finds first is a miss', async () => {
    const { dir, write } = project();
    write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, module: 'preserve', moduleResolution: 'bundler', noEmit: true } }));
    const site = write('site.ts', `import { port } from './conf';\nexport default function site(): number { return port; }\n`);
    write('conf/index.ts', 'export const port: number = 8080;\n');
    await checkedThenCached(site, dir);
    // conf.ts now shadows conf/index.ts, which did not change.
    write('conf.ts', "export const port: string = '8080';\n");
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE' });
  });

  it('a package added to a nearer node_modules is a miss', async () => {
    const { dir, write } = project();
    write('node_modules/pkg/package.json', JSON.stringify({ name: 'pkg', version: '1.0.0', types: 'index.d.ts' }));
    write('node_modules/pkg/index.d.ts', 'export declare const port: number;\n');
    const site = write('sub/site.ts', `import { port } from 'pkg';\nexport default function site(): number { return port; }\n`);
    await checkedThenCached(site, dir);
    // sub/node_modules/pkg is now found first; no file the check read changed.
    write('sub/node_modules/pkg/package.json', JSON.stringify({ name: 'pkg', version: '2.0.0', types: 'index.d.ts' }));
    write('sub/node_modules/pkg/index.d.ts', 'export declare const port: string;\n');
    await expect(check(site, dir)).rejects.toMatchObject({ code: 'ERR_X_SITE_TYPE' });
  });

  it('a corrupt or foreign cache entry is a miss, and is replaced', async () => {
    const { dir, write } = project();
    const site = write('site.ts', 'export default function site(): number { return 1; }\n');
    expect(await check(site, dir)).toBe('checked');
    const [entry] = readdirSync(join(cache, 'x'));
    const path = join(cache, 'x', entry ?? '');
    const corrupt = ['{', 'null', '[]', JSON.stringify({ format: 2, key: 'x', answers: { files: [[1, 2]] } }), JSON.stringify({ format: 2, key: 'x', answers: {} })];
    // An entry that is well formed but names a device: not read (it would never end), a miss.
    const valid = JSON.parse(readFileSync(path, 'utf8')) as { answers: { files: [string, string | null][] } };
    valid.answers.files.push(['/dev/zero', 'a'.repeat(40)]);
    corrupt.push(JSON.stringify(valid));
    for (const text of corrupt) {
      writeFileSync(path, text);
      await checkedThenCached(site, dir);
    }
  });

  it('an unwritable home still checks, and caches in the temporary directory', async () => {
    const { dir, write } = project();
    const home = temporary('x-typecheck-home-');
    // A file where the home directory should be: not writable even for root.
    writeFileSync(join(home, 'file'), '');
    delete process.env.XDG_CACHE_HOME;
    process.env.HOME = join(home, 'file');
    const tmp = temporary('x-typecheck-tmp-');
    process.env.TMPDIR = tmp;
    const site = write('site.ts', 'export default function site(): number { return 1; }\n');
    await checkedThenCached(site, dir);
    const [own] = readdirSync(tmp);
    expect(own).toMatch(/^x-cache-/);
    expect(statSync(join(tmp, own ?? '')).mode & 0o777).toBe(0o700);

    // And where nothing is writable, it checks every time.
    rmSync(join(tmp, own ?? ''), { recursive: true, force: true });
    process.env.TMPDIR = join(home, 'file');
    expect(await check(site, dir)).toBe('checked');
    expect(await check(site, dir)).toBe('checked');
  });

  it('a cache hit costs little CPU', async () => {
    const { dir, write } = project();
    const site = write('site.ts', `import { readFileSync } from 'node:fs';\nexport default function site(): string { return readFileSync('/etc/hostname', 'utf8'); }\n`);
    expect(await check(site, dir)).toBe('checked');
    const before = process.cpuUsage();
    expect(await check(site, dir)).toBe('cached');
    const used = process.cpuUsage(before);
    // Reported, not asserted: CPU time under load is not a property of the code.
    console.log(`typecheck cache hit: ${((used.user + used.system) / 1000).toFixed(1)} ms CPU`);
  });
});
