import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { Router, type Context } from '../src/index.js';
import type { Loaded } from './fixtures/modules/importer.js';
import { quietRouter } from './helpers.js';

// A context's dynamic imports are requests from code the root does not trust: each of these runs inside a context.
useLeakCheck();

const importer = new URL('./fixtures/modules/importer.ts', import.meta.url);
const REFUSED = 'ERR_X_REMOTE_MODULE_REFUSED';

/** A project outside the defaults (secrets, a symlink out, broken files) and a directory outside everything. */
function scene(): { project: string; outside: string; marker: string; [Symbol.dispose]: () => void } {
  const project = mkdtempSync(join(tmpdir(), 'x-remote-project-'));
  const outside = mkdtempSync(join(tmpdir(), 'x-remote-outside-'));
  const marker = `X-SECRET-${process.pid}-${Date.now()}`;
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  write(join(project, 'package.json'), '{ "name": "project", "type": "module" }');
  write(join(project, 'ok.mjs'), "export const value = 'ok';\n");
  write(join(project, '.env.js'), `export const value = '${marker}';\n`);
  write(join(project, '.hidden/module.mjs'), `export const value = '${marker}';\n`);
  write(join(project, 'notes.txt'), `${marker}\n`);
  write(join(project, 'run.sh'), `echo ${marker}\n`);
  write(join(project, 'broken.mjs'), `export const value = 1;\nexport const secret = 1 ${marker.replaceAll('-', '_')};\n`);
  write(join(project, 'broken.json'), `{ "value": 1,\n  "secret": ${marker} }`);
  write(join(outside, 'secret.mjs'), `export const value = '${marker}';\n`);
  write(join(outside, '.env'), `TOKEN=${marker}\n`);
  symlinkSync(join(outside, 'secret.mjs'), join(project, 'leak.mjs'));
  return {
    project,
    outside,
    marker,
    [Symbol.dispose]: () => {
      rmSync(project, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    },
  };
}

/** Every byte this router writes to `ctx`'s stream from now on (frames for contexts below it included). */
function received(router: Router, ctx: Context): () => Buffer {
  const socket = router.routeFor(ctx.id)!.socket;
  const chunks: Buffer[] = [];
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    chunks.push(Buffer.from(chunk as Uint8Array));
    return write(chunk, ...rest);
  }) as typeof socket.write;
  return () => Buffer.concat(chunks);
}

/** Whether `secret` is in `bytes`, as V8 serializes a string: one byte per character, or UTF-16. */
function carries(bytes: Buffer, secret: string): boolean {
  return [secret, secret.replaceAll('-', '_')].some((text) => bytes.includes(Buffer.from(text, 'latin1')) || bytes.includes(Buffer.from(text, 'utf16le')));
}

const load = (ctx: Context, specifier: string): Promise<Loaded> => ctx.call<Loaded>(importer, 'load', specifier);

async function expectRefused(ctx: Context, specifier: string): Promise<Loaded> {
  const loaded = await load(ctx, specifier);
  expect(loaded, specifier).toMatchObject({ ok: false, name: 'ModuleError', code: REFUSED });
  if (!loaded.ok) {
    expect(loaded.message).toContain(`'${specifier}'`);
    expect(loaded.message).toContain('moduleRoots');
  }
  return loaded;
}

/** The hostile imports of `scene`, each refused (or, for a broken module inside the roots, a bare syntax error). */
async function attack(ctx: Context, where: ReturnType<typeof scene>): Promise<Loaded[]> {
  const results: Loaded[] = [];
  const refused = [
    '/etc/passwd',
    join(where.outside, '.env'),
    pathToFileURL(join(where.outside, 'secret.mjs')).href,
    '../../../../../../../../../../../../etc/hosts',
    join(where.project, 'leak.mjs'),
    join(where.project, 'notes.txt'),
    join(where.project, 'run.sh'),
    join(where.project, '.env.js'),
    join(where.project, '.hidden/module.mjs'),
  ];
  for (const specifier of refused) results.push(await expectRefused(ctx, specifier));
  for (const [file, line] of [['broken.mjs', 2], ['broken.json', undefined]] as const) {
    const loaded = await load(ctx, join(where.project, file));
    expect(loaded, file).toMatchObject({ ok: false, code: 'ERR_X_REMOTE_MODULE_SYNTAX' });
    if (!loaded.ok) expect(loaded.message.startsWith(`${join(where.project, file)}${line === undefined ? '' : `:${line}:`}`)).toBe(true);
    results.push(loaded);
  }
  return results;
}

describe('a context\'s dynamic import()', () => {
  it('is refused for files outside the roots, dotfiles, non-modules and symlinks out, and no file content reaches the context', async () => {
    using where = scene();
    await using router = quietRouter({ moduleRoots: [where.project] });
    const ctx = await router.local();
    const bytes = received(router, ctx);
    const results = await attack(ctx, where);
    // Legitimate imports still work after the refusals: a sibling module, a package, a module under moduleRoots.
    expect(await load(ctx, './shared.js')).toMatchObject({ ok: true, names: ['evaluations', 'token'] });
    expect(await load(ctx, 'esm-pkg')).toMatchObject({ ok: true });
    expect(await load(ctx, join(where.project, 'ok.mjs'))).toMatchObject({ ok: true, value: 'ok' });
    expect(carries(bytes(), where.marker)).toBe(false);
    expect(carries(Buffer.from(JSON.stringify(results), 'latin1'), where.marker)).toBe(false);
    expect(bytes().length).toBeGreaterThan(0);
  });

  it('is refused the same way for a grandchild, whose requests reach the root through its parent', async () => {
    using where = scene();
    await using router = quietRouter({ moduleRoots: [where.project] });
    const child = await router.local({ name: 'child' });
    const grandchild = await router.local({ name: 'grandchild', via: child });
    const bytes = received(router, child);
    const results = await attack(grandchild, where);
    expect(await load(grandchild, './dyn/a.js')).toMatchObject({ ok: true, value: 'a' });
    expect(carries(bytes(), where.marker)).toBe(false);
    expect(carries(Buffer.from(JSON.stringify(results), 'latin1'), where.marker)).toBe(false);
  });

  it('reaches a directory outside the defaults only through moduleRoots', async () => {
    using where = scene();
    await using router = quietRouter();
    const ctx = await router.local();
    await expectRefused(ctx, join(where.project, 'ok.mjs'));
    expect(await load(ctx, './dyn/b.ts')).toMatchObject({ ok: true, value: 'b' });
  });

  it("loads a dependency from the workspace's pnpm store when the working directory's project is elsewhere", async () => {
    using where = scene();
    // The working directory counts as it was when the Router was made.
    const cwd = process.cwd();
    let router: Router;
    process.chdir(where.outside);
    try {
      router = quietRouter();
    } finally {
      process.chdir(cwd);
    }
    await using _ = router;
    const ctx = await router.local();
    const lexer = await load(ctx, 'es-module-lexer');
    expect(lexer).toMatchObject({ ok: true });
    expect(lexer.ok && lexer.names).toContain('parse');
    // The workspace's own files beside this package are not the called module's package.
    await expectRefused(ctx, fileURLToPath(new URL('../../../package.json', import.meta.url)));
    // Now the working directory (no package.json above it) is the project.
    expect(await load(ctx, pathToFileURL(join(where.outside, 'secret.mjs')).href)).toMatchObject({ ok: true, value: where.marker });
  });
});

describe('new Router({ moduleRoots })', () => {
  it('rejects what is not an array of absolute paths', () => {
    for (const moduleRoots of [['relative'], '/one/string', [42], [null]]) {
      expect(() => new Router({ logPrinter: false, moduleRoots: moduleRoots as string[] })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'moduleRoots' }));
    }
  });
});
