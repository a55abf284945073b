import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleError, ModuleServer, type ModuleGraph, type ModuleRecord } from '../src/module-server.js';

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
    const dynamic = await server.resolve(graph.root, './dyn/b.ts');
    expect(dynamic.root).toBe(record(dynamic, 'dyn/b.ts').key);
    // The shared module is the same record as in the static graph: one instance in the context.
    expect(record(dynamic, 'shared.ts').key).toBe(record(graph, 'shared.ts').key);
    expect(await server.resolve(graph.root, 'fs')).toEqual({ root: 'node:fs', modules: [] });
    const esm = await server.resolve(graph.root, 'esm-pkg');
    expect(esm.root).toMatch(/\/node_modules\/esm-pkg\/index\.js\?x=/);
  });

  it('rejects a missing file, and a key it never produced', async () => {
    const graph = await server.graph(fixture('dynamic.ts'));
    expect((await rejection(server.resolve(graph.root, './dyn/missing.ts'))).code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
    expect((await rejection(server.resolve('file:///elsewhere.ts?x=0000000000000000', './a.js'))).code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
  });
});

describe('ModuleServer.fileOf()', () => {
  it("maps a key to the parent's file URL", async () => {
    const graph = await server.graph(fixture('first.ts'));
    expect(server.fileOf(graph.root)).toBe(fixture('first.ts').href);
    expect(server.fileOf(`${fixture('first.ts').href}?x=ffffffffffffffff`)).toBeUndefined();
  });
});
