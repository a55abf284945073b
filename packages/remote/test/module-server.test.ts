import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorForContext, ModuleError, ModuleServer, type ModuleGraph, type ModuleRecord } from '../src/modules/module-server.js';

// esbuild's service is a child process: start it before the per-test snapshots, stop it after the last test.
useLeakCheck();
const server = new ModuleServer();
beforeAll(() => server.warm());
afterAll(() => server.close());

const fixtures = new URL('./fixtures/modules/', import.meta.url);
const fixture = (name: string): URL => new URL(name, fixtures);
const KEY = /^file:\/\/\/.+\?x=[0-9a-f]{16}$/;

function record(graph: ModuleGraph, file: string): ModuleRecord {
  const found = graph.modules.find((module) => module.key.startsWith(`${fixture(file).href}?x=`));
  if (found === undefined) throw new Error(`no record for ${file} in ${graph.modules.map((module) => module.key).join(', ')}`);
  return found;
}

async function rejection(promise: Promise<unknown>): Promise<ModuleError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ModuleError);
  return error as ModuleError;
}

function scratch(): { dir: string; write: (name: string, text: string) => string; [Symbol.dispose]: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'x-remote-modules-'));
  return {
    dir,
    write: (name, text) => {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
    [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe('ModuleServer.graph()', () => {
  it('returns the called module and its whole static graph, dependencies first, types stripped', async () => {
    const graph = await server.graph(fixture('first.ts'));
    expect(graph.modules.map((module) => module.key)).toEqual([record(graph, 'shared.ts').key, record(graph, 'first.ts').key]);
    expect(graph.root).toBe(record(graph, 'first.ts').key);
    for (const module of graph.modules) expect(module.key).toMatch(KEY);
    const first = record(graph, 'first.ts');
    expect(first.deps).toEqual({ './shared.js': record(graph, 'shared.ts').key });
    expect(first.source).not.toMatch(/interface|: Report/);
  });

  it('accepts a file URL string and an absolute path as well as a URL', async () => {
    const byUrl = await server.graph(fixture('first.ts'));
    expect((await server.graph(fixture('first.ts').href)).root).toBe(byUrl.root);
    expect((await server.graph(fileURLToPath(fixture('first.ts')))).root).toBe(byUrl.root);
  });

  it('gives a module imported by two called modules one key', async () => {
    const first = await server.graph(fixture('first.ts'));
    const second = await server.graph(fixture('second.mts'));
    expect(record(second, 'shared.ts').key).toBe(record(first, 'shared.ts').key);
    expect(record(second, 'second.mts').deps['./shared.js']).toBe(record(first, 'shared.ts').key);
  });

  it('maps builtins to node: and @x/remote to the runtime shim', async () => {
    const packages = record(await server.graph(fixture('packages.ts')), 'packages.ts');
    expect(packages.deps['node:path']).toBe('node:path');
    expect(packages.deps['os']).toBe('node:os');
    const runtime = await server.graph(fixture('runtime.mjs'));
    expect(runtime.modules).toHaveLength(1);
    expect(runtime.modules[0]!.deps).toEqual({ '@x/remote': '@x/remote' });
  });

  it('pre-bundles each package into one ESM record resolved with the import condition', async () => {
    const graph = await server.graph(fixture('packages.ts'));
    const deps = record(graph, 'packages.ts').deps;
    const esm = graph.modules.find((module) => module.key === deps['esm-pkg'])!;
    expect(esm.key).toMatch(/\/node_modules\/esm-pkg\/index\.js\?x=/);
    expect(esm.source).toContain('toUpperCase');
    expect(esm.source).not.toMatch(/require condition|"module" field|x-remote-test/);
    const cjs = graph.modules.find((module) => module.key === deps['cjs-pkg'])!;
    // Both files of the CommonJS package are in its one record, with Node's named exports added.
    expect(cjs.source).toContain('helped');
    expect(cjs.source).toMatch(/as greet/);
    expect(cjs.deps).toEqual({ 'node:module': 'node:module', 'node:url': 'node:url' });
    const reexport = graph.modules.find((module) => module.key === deps['cjs-reexport'])!;
    expect(reexport.source).toMatch(/as answer/);
    // A package that an ESM package imports is a record of its own, shared with any other importer.
    const state = graph.modules.find((module) => module.key === esm.deps['esm-state'])!;
    expect(state.key).toMatch(/\/node_modules\/esm-state\/index\.js\?x=/);
    expect(esm.source).not.toContain('token = {}');
    const instances = await server.graph(fixture('instances.ts'));
    expect(record(instances, 'instances.ts').deps['esm-state']).toBe(state.key);
    expect(graph.modules).toHaveLength(5);
  });

  it("sends a bare import that leads outside node_modules (a workspace package) module by module", async () => {
    using dir = scratch();
    mkdirSync(join(dir.dir, 'linked'));
    mkdirSync(join(dir.dir, 'node_modules'));
    dir.write('linked/package.json', '{ "name": "linked", "type": "module", "exports": "./index.js" }');
    dir.write('linked/index.js', "export { token } from './state.js';\n");
    dir.write('linked/state.js', 'export const token = {};\n');
    symlinkSync(join(dir.dir, 'linked'), join(dir.dir, 'node_modules', 'linked'));
    const main = dir.write('main.ts', "import { token } from 'linked';\nimport { token as direct } from './linked/state.js';\nexport const same = (): boolean => token === direct;\n");
    const graph = await server.graph(main);
    const keys = graph.modules.map((module) => module.key.split('?')[0]);
    expect(keys).toEqual([pathToFileURL(join(dir.dir, 'linked/state.js')).href, pathToFileURL(join(dir.dir, 'linked/index.js')).href, pathToFileURL(main).href]);
  });

  it('keys an import cycle and lists both modules once', async () => {
    const graph = await server.graph(fixture('cycle-a.ts'));
    const a = record(graph, 'cycle-a.ts');
    const b = record(graph, 'cycle-b.ts');
    expect(graph.modules).toHaveLength(2);
    expect(a.deps['./cycle-b.js']).toBe(b.key);
    expect(b.deps['./cycle-a.js']).toBe(a.key);
    expect((await server.graph(fixture('cycle-b.ts'))).root).toBe(b.key);
  });

  it('leaves dynamic imports out of the graph', async () => {
    const graph = await server.graph(fixture('dynamic.ts'));
    expect(graph.modules.map((module) => module.key)).toEqual([record(graph, 'shared.ts').key, graph.root]);
    expect(Object.keys(record(graph, 'dynamic.ts').deps)).toEqual(['./shared.js']);
  });

  it('changes the key of a module and of its importers when a dependency changes, and only then', async () => {
    using dir = scratch();
    const main = dir.write('main.ts', "import { n } from './dep.js';\nexport const m: number = n;\n");
    const dep = dir.write('dep.ts', 'export const n: number = 1;\n');
    const before = await server.graph(main);
    expect((await server.graph(main)).root).toBe(before.root);
    // Same bytes, new mtime: the file is read again and hashes the same.
    utimesSync(dep, new Date(), new Date(Date.now() + 5000));
    expect((await server.graph(main)).root).toBe(before.root);
    writeFileSync(dep, 'export const n: number = 22;\n');
    utimesSync(dep, new Date(), new Date(Date.now() + 10_000));
    const after = await server.graph(main);
    expect(after.root).not.toBe(before.root);
    expect(after.modules[0]!.key).not.toBe(before.modules[0]!.key);
    expect(after.root.split('?')[0]).toBe(pathToFileURL(main).href);
  });

  it('rejects a TypeScript syntax error with the file and line', async () => {
    using dir = scratch();
    const file = dir.write('broken.ts', 'export const fine = 1;\nexport const broken: number = (;\n');
    const importer = dir.write('importer.ts', "export { fine } from './broken.js';\n");
    const error = await rejection(server.graph(importer));
    expect(error.code).toBe('ERR_X_REMOTE_MODULE_SYNTAX');
    expect(error.file).toBe(file);
    expect(error.line).toBe(2);
    expect(error.message).toContain(`${file}:2:`);
  });

  it('rejects a missing relative import naming the path and the importer', async () => {
    using dir = scratch();
    const importer = dir.write('lonely.ts', "import './absent.js';\n");
    const error = await rejection(server.graph(importer));
    expect(error.code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
    expect(error.importer).toBe(importer);
    expect(error.message).toContain(join(dir.dir, 'absent.js'));
    expect(error.message).toContain(importer);
  });

  it('rejects a missing package and a missing called module', async () => {
    using dir = scratch();
    const importer = dir.write('bare.ts', "import 'no-such-package-x-remote';\n");
    const missingPackage = await rejection(server.graph(importer));
    expect(missingPackage.code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
    expect(missingPackage.message).toContain("'no-such-package-x-remote'");
    const missingRoot = await rejection(server.graph(join(dir.dir, 'nothing.ts')));
    expect(missingRoot.code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
    expect(missingRoot.file).toBe(join(dir.dir, 'nothing.ts'));
  });

  it('refuses a native addon required by the called module, naming both', async () => {
    const error = await rejection(server.graph(fixture('native-user.ts')));
    expect(error.code).toBe('ERR_X_REMOTE_NATIVE_ADDON');
    expect(error.importer).toBe(fileURLToPath(fixture('native-user.ts')));
    expect(error.addon).toBe(fileURLToPath(fixture('build/Release/addon.node')));
  });

  it('refuses a package that loads a native addon, naming the importing module and the addon', async () => {
    const error = await rejection(server.graph(fixture('native-package.ts')));
    expect(error.code).toBe('ERR_X_REMOTE_NATIVE_ADDON');
    expect(error.importer).toBe(fileURLToPath(fixture('native-package.ts')));
    expect(error.message).toContain('native-pkg/build/Release/native.node');
  });

  it('rejects what is not a file URL or an absolute path', async () => {
    await expect(server.graph('relative/path.ts')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
    await expect(server.graph('https://example.invalid/m.ts')).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
  });
});

describe('ModuleServer options and lifetime', () => {
  it('rejects conditions that are not strings', () => {
    expect(() => new ModuleServer({ conditions: [1] as unknown as string[] })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'conditions' }));
  });

  it('resolves packages with extra conditions', async () => {
    await using custom = new ModuleServer({ conditions: ['x-remote-test'] });
    const graph = await custom.graph(fixture('packages.ts'));
    const esm = graph.modules.find((module) => module.key === record(graph, 'packages.ts').deps['esm-pkg'])!;
    expect(esm.key).toMatch(/\/esm-pkg\/custom\.js\?x=/);
    expect(esm.source).toContain('x-remote-test condition');
  });

  it('refuses work after close()', async () => {
    const closed = new ModuleServer();
    await closed.close();
    await expect(closed.graph(fixture('first.ts'))).rejects.toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SERVER_CLOSED' });
  });
});

describe('ModuleServer.resolve()', () => {
  it('answers a dynamic import from a module it produced', async () => {
    const graph = await server.graph(fixture('dynamic.ts'));
    const dynamic = await server.resolve(graph.root, './dyn/b.ts', [graph.root]);
    expect(dynamic.root).toBe(record(dynamic, 'dyn/b.ts').key);
    // The shared module is the same record as in the static graph: one instance in the context.
    expect(record(dynamic, 'shared.ts').key).toBe(record(graph, 'shared.ts').key);
    expect(await server.resolve(graph.root, 'fs', [graph.root])).toEqual({ root: 'node:fs', modules: [] });
    const esm = await server.resolve(graph.root, 'esm-pkg', [graph.root]);
    expect(esm.root).toMatch(/\/node_modules\/esm-pkg\/index\.js\?x=/);
  });

  it('rejects a missing file, and a key it never produced', async () => {
    const graph = await server.graph(fixture('dynamic.ts'));
    expect((await rejection(server.resolve(graph.root, './dyn/missing.ts', [graph.root]))).code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
    expect((await rejection(server.resolve('file:///elsewhere.ts?x=0000000000000000', './a.js', []))).code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
  });
});

describe('ModuleServer.fileOf()', () => {
  it("maps a key to the parent's file URL", async () => {
    const graph = await server.graph(fixture('first.ts'));
    expect(server.fileOf(graph.root)).toBe(fixture('first.ts').href);
    expect(server.fileOf(`${fixture('first.ts').href}?x=ffffffffffffffff`)).toBeUndefined();
  });
});

/**
 * A pnpm-like workspace in a temporary directory: the called module's package `app`, a workspace package `lib`
 * linked into app's node_modules, a package `dep` in the workspace's `.pnpm` store, secrets around them, and a
 * directory outside everything.
 */
function workspace(): { app: string; ws: string; outside: string; marker: string; [Symbol.dispose]: () => void } {
  const ws = mkdtempSync(join(tmpdir(), 'x-remote-ws-'));
  const outside = mkdtempSync(join(tmpdir(), 'x-remote-outside-'));
  const marker = `X-SECRET-${process.pid}-${Date.now()}`;
  const write = (file: string, text: string): void => {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  };
  const app = join(ws, 'packages/app');
  const store = join(ws, 'node_modules/.pnpm/dep@1.0.0/node_modules/dep');
  write(join(ws, 'package.json'), '{ "name": "ws", "private": true }');
  write(join(ws, 'secret.mjs'), `export const value = '${marker}';\n`);
  write(join(app, 'package.json'), '{ "name": "app", "type": "module" }');
  write(join(app, 'main.mjs'), 'export const load = (specifier) => import(specifier);\n');
  write(join(app, 'sibling.mjs'), "export const value = 'sibling';\n");
  write(join(app, 'data.json'), '{ "value": "data" }');
  write(join(app, '.env.js'), `export const value = '${marker}';\n`);
  write(join(app, '.hidden/module.mjs'), `export const value = '${marker}';\n`);
  write(join(app, 'notes.txt'), `${marker}\n`);
  write(join(app, 'run.sh'), `echo ${marker}\n`);
  write(join(app, 'broken.mjs'), `export const value = 1;\nexport const secret = 1 ${marker.replaceAll('-', '_')};\n`);
  write(join(app, 'broken.json'), `{ "value": 1,\n  "secret": ${marker} }`);
  write(join(ws, 'packages/lib/package.json'), '{ "name": "lib", "type": "module", "exports": "./index.js" }');
  write(join(ws, 'packages/lib/index.js'), "export const value = 'lib';\n");
  write(join(store, 'package.json'), '{ "name": "dep", "type": "module", "exports": "./index.js" }');
  write(join(store, 'index.js'), "export const value = 'dep';\nexport const later = () => import('./lazy.js');\n");
  write(join(store, 'lazy.js'), "export const value = 'lazy';\n");
  write(join(ws, 'node_modules/.cache/cached.js'), `export const value = '${marker}';\n`);
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(join(ws, 'packages/lib'), join(app, 'node_modules/lib'));
  symlinkSync(store, join(app, 'node_modules/dep'));
  write(join(outside, 'secret.mjs'), `export const value = '${marker}';\n`);
  write(join(outside, '.env'), `TOKEN=${marker}\n`);
  symlinkSync(join(outside, 'secret.mjs'), join(app, 'leak.mjs'));
  symlinkSync(outside, join(app, 'linked-dir'));
  return {
    app,
    ws,
    outside,
    marker,
    [Symbol.dispose]: () => {
      rmSync(ws, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    },
  };
}

describe('ModuleServer.resolve() for a context', () => {
  it('refuses a path outside the allowed roots, before looking it up', async () => {
    using dir = workspace();
    const graph = await server.graph(join(dir.app, 'main.mjs'));
    const refused = ['/etc/passwd', '../../../../../../../../../../etc/hosts', join(dir.outside, '.env'), pathToFileURL(join(dir.outside, 'secret.mjs')).href, '../../secret.mjs', '../lib/index.js', '/no-such-dir-x-remote/missing.js'];
    for (const specifier of refused) {
      const error = await rejection(server.resolve(graph.root, specifier, [graph.root]));
      expect(error.code, specifier).toBe('ERR_X_REMOTE_MODULE_REFUSED');
      expect(error.specifier).toBe(specifier);
      expect(error.message).toContain(`'${specifier}'`);
      expect(error.message).toContain('moduleRoots');
    }
  });

  it('refuses dotfiles, dot directories and files that are not modules inside a root', async () => {
    using dir = workspace();
    const graph = await server.graph(join(dir.app, 'main.mjs'));
    for (const specifier of ['./.env.js', './.hidden/module.mjs', './notes.txt', './run.sh', join(dir.ws, 'node_modules/.cache/cached.js')]) {
      expect((await rejection(server.resolve(graph.root, specifier, [graph.root]))).code, specifier).toBe('ERR_X_REMOTE_MODULE_REFUSED');
    }
  });

  it('refuses a symlink inside a root that leads outside it, without naming where it leads', async () => {
    using dir = workspace();
    const graph = await server.graph(join(dir.app, 'main.mjs'));
    for (const specifier of ['./leak.mjs', './linked-dir/secret.mjs']) {
      const error = await rejection(server.resolve(graph.root, specifier, [graph.root]));
      expect(error.code, specifier).toBe('ERR_X_REMOTE_MODULE_REFUSED');
      expect(error.message).not.toContain(dir.outside);
    }
  });

  it('serves a sibling, JSON, a package in the workspace\'s pnpm store, its own dynamic import there, and a linked workspace package', async () => {
    using dir = workspace();
    const graph = await server.graph(join(dir.app, 'main.mjs'));
    const source = async (specifier: string, from = graph.root): Promise<string> => {
      const found = await server.resolve(from, specifier, [graph.root]);
      return found.modules.find((module) => module.key === found.root)!.source;
    };
    expect(await source('./sibling.mjs')).toMatch(/["']sibling["']/);
    expect(await source('./data.json')).toContain('"data"');
    const dep = await server.resolve(graph.root, 'dep', [graph.root]);
    expect(dep.root).toContain('/node_modules/.pnpm/dep@1.0.0/node_modules/dep/index.js?x=');
    expect(await source('./lazy.js', dep.root)).toMatch(/["']lazy["']/);
    expect(await source('lib')).toMatch(/["']lib["']/);
  });

  it('serves what moduleRoots adds, and still no dotfile there', async () => {
    using dir = workspace();
    await using widened = new ModuleServer({ moduleRoots: [dir.outside] });
    const graph = await widened.graph(join(dir.app, 'main.mjs'));
    expect((await widened.resolve(graph.root, './leak.mjs', [graph.root])).modules[0]!.source).toContain(dir.marker);
    expect((await widened.resolve(graph.root, join(dir.outside, 'secret.mjs'), [graph.root])).modules).toHaveLength(1);
    expect((await rejection(widened.resolve(graph.root, join(dir.outside, '.env'), [graph.root]))).code).toBe('ERR_X_REMOTE_MODULE_REFUSED');
    expect((await rejection(widened.resolve(graph.root, '../../secret.mjs', [graph.root]))).code).toBe('ERR_X_REMOTE_MODULE_REFUSED');
  });

  it('serves from the package of the modules called on the context, not of any module it was sent', async () => {
    using dir = workspace();
    const graph = await server.graph(join(dir.app, 'main.mjs'));
    expect((await rejection(server.resolve(graph.root, './sibling.mjs', []))).code).toBe('ERR_X_REMOTE_MODULE_REFUSED');
  });

  it('reports a syntax error by file, line and column, with none of the file\'s text', async () => {
    using dir = workspace();
    const graph = await server.graph(join(dir.app, 'main.mjs'));
    const script = await rejection(server.resolve(graph.root, './broken.mjs', [graph.root]));
    expect(script).toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SYNTAX', file: join(dir.app, 'broken.mjs'), line: 2 });
    expect(script.message).toMatch(new RegExp(`^${join(dir.app, 'broken.mjs')}:2:\\d+: syntax error`));
    const json = await rejection(server.resolve(graph.root, './broken.json', [graph.root]));
    expect(json).toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SYNTAX', file: join(dir.app, 'broken.json') });
    for (const error of [script, json]) {
      const sent = errorForContext(error);
      const text = `${sent.message}\n${sent.stack}\n${JSON.stringify(sent)}\n${String((sent as { cause?: unknown }).cause)}`;
      expect(text).not.toContain(dir.marker);
      expect(text).not.toContain(dir.marker.replaceAll('-', '_'));
      expect(sent).toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SYNTAX', file: error.file });
      expect(sent.cause).toBeUndefined();
    }
    // The parser's own error stays here, for the caller of a module with a syntax error: esbuild's (loaded
    // in this process, so plain JavaScript is checked by it too: module-syntax.ts), placing it at line 2.
    expect((script.cause as { errors?: { location?: { line: number } }[] }).errors?.[0]?.location?.line).toBe(2);
  });

  it('checks plain JavaScript with acorn in a program that never loaded esbuild, with the same error', async () => {
    using dir = workspace();
    const child = spawnSync(process.execPath, [fileURLToPath(new URL('./fixtures/syntax-check.mjs', import.meta.url)), join(dir.app, 'broken.mjs')], { encoding: 'utf8', timeout: 30_000 });
    expect(child.status, child.stderr).toBe(0);
    const reported = JSON.parse(child.stdout) as Record<string, unknown>;
    expect(reported).toMatchObject({ code: 'ERR_X_REMOTE_MODULE_SYNTAX', file: join(dir.app, 'broken.mjs'), line: 2, acorn: true, esbuildLoaded: false });
    expect(reported['message']).toMatch(new RegExp(`^${join(dir.app, 'broken.mjs')}:2:\\d+: syntax error`));
    expect(reported['message']).not.toContain(dir.marker.replaceAll('-', '_'));
  });

  it('rejects moduleRoots that are not absolute directory paths', () => {
    for (const moduleRoots of [['relative/dir'], '/a/string', [1], ['']]) {
      expect(() => new ModuleServer({ moduleRoots: moduleRoots as string[] })).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'moduleRoots' }));
    }
  });
});
