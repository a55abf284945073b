import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleServer, type ModuleGraph, type ModuleRecord } from '../src/modules/module-server.js';

// The registry runs where it does in a context: in a child `node` whose only code arrives as a minified bundle,
// with module graphs from a ModuleServer in this process and dynamic imports fetched back over IPC.
useLeakCheck();
const server = new ModuleServer();
let driver = '';

beforeAll(async () => {
  await server.warm();
  const built = await esbuild.build({
    stdin: { contents: driverSource(), resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  driver = built.outputFiles[0]!.text;
});
afterAll(() => server.close());

const fixture = (name: string): URL => new URL(`./fixtures/modules/${name}`, import.meta.url);

/** The child's side: a registry, a fetchMissing that asks this process, and a few commands. */
function driverSource(): string {
  const source = (name: string): string => JSON.stringify(fileURLToPath(new URL(`../src/${name}`, import.meta.url)));
  return `
import { ModuleRegistry } from ${source('modules/module-registry.ts')};
import { ModuleError } from ${source('modules/module-error.ts')};
const waiting = new Map();
let lastId = 0;
const registry = new ModuleRegistry((fromKey, specifier) => new Promise((resolve, reject) => {
  const id = ++lastId;
  waiting.set(id, { resolve, reject });
  process.send({ type: 'fetch', id, fromKey, specifier });
}));
globalThis[Symbol.for('@x/remote.runtime')] = { currentContext: () => 'child', parentContext: () => 'parent' };
const describe = (error) => ({ name: error.name, message: error.message, stack: error.stack, code: error.code, file: error.file, isModuleError: error instanceof ModuleError });
const call = async ([key, name, args]) => (await registry.import(key))[name](...args);
process.on('message', async (message) => {
  if (message.type === 'fetched') {
    const settle = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error) settle.reject(Object.assign(new Error(message.error.message), message.error));
    else settle.resolve(message.graph);
    return;
  }
  let reply;
  try {
    if (message.type === 'add') reply = { value: registry.add(message.modules) };
    else if (message.type === 'records') reply = { value: message.keys.map((key) => registry.has(key) && registry.get(key)) };
    else if (message.type === 'call') reply = { value: await call(message.call) };
    else if (message.type === 'second') {
      const second = new ModuleRegistry(() => Promise.reject(new Error('the second registry fetches nothing')));
      second.add(message.modules);
      reply = { value: await (await second.import(message.call[0]))[message.call[1]](...message.call[2]) };
    }
    else if (message.type === 'same') reply = { value: (await call(message.calls[0])) === (await call(message.calls[1])) };
  } catch (error) {
    reply = { error: describe(error) };
  }
  process.send({ type: 'done', id: message.id, ...reply });
});
`;
}

type Fetch = (fromKey: string, specifier: string) => Promise<ModuleGraph>;

interface Failure {
  name: string;
  message: string;
  code?: string;
  file?: string;
  isModuleError: boolean;
  stack: string;
}

/** One child process holding a ModuleRegistry; every fetch it makes is answered by `fetch` and counted. */
class Context {
  readonly fetches: string[] = [];
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, (reply: { value?: unknown; error?: Failure }) => void>();
  readonly #exited: Promise<number | null>;
  readonly #home: string;
  #stderr = '';
  #lastId = 0;

  constructor(fetch: Fetch = (fromKey, specifier) => server.resolve(fromKey, specifier, [fromKey])) {
    // The child's cwd, HOME and TMPDIR are an empty directory that must still be empty at the end.
    this.#home = mkdtempSync(join(tmpdir(), 'x-remote-context-'));
    this.#child = spawn(process.execPath, ['--experimental-vm-modules', '--input-type=module', '-e', driver], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      cwd: this.#home,
      env: { ...process.env, HOME: this.#home, TMPDIR: this.#home },
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => (this.#stderr += chunk.toString()));
    this.#exited = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)));
    this.#child.on('message', (message: { type: string; id: number; fromKey: string; specifier: string; value?: unknown; error?: Failure }) => {
      if (message.type === 'fetch') {
        this.fetches.push(message.specifier);
        fetch(message.fromKey, message.specifier).then(
          (graph) => this.#child.send({ type: 'fetched', id: message.id, graph }),
          (error: Error & { code?: string }) => this.#child.send({ type: 'fetched', id: message.id, error: { name: error.name, message: error.message, code: error.code } }),
        );
      } else {
        this.#pending.get(message.id)?.(message);
        this.#pending.delete(message.id);
      }
    });
  }

  async #request(message: Record<string, unknown>): Promise<{ value?: unknown; error?: Failure }> {
    const id = ++this.#lastId;
    const reply = new Promise<{ value?: unknown; error?: Failure }>((resolve) => this.#pending.set(id, resolve));
    this.#child.send({ ...message, id });
    return Promise.race([reply, this.#exited.then((code) => { throw new Error(`child exited (${code}): ${this.#stderr}`); })]);
  }

  async add(graph: ModuleGraph): Promise<string> {
    await this.#request({ type: 'add', modules: graph.modules });
    return graph.root;
  }

  async records(keys: string[]): Promise<Array<ModuleRecord | false>> {
    return (await this.#request({ type: 'records', keys })).value as Array<ModuleRecord | false>;
  }

  /** The value of `key`'s export `name` called with `args`; throws if the call failed. */
  async call(key: string, name: string, ...args: unknown[]): Promise<unknown> {
    const reply = await this.#request({ type: 'call', call: [key, name, args] });
    if (reply.error !== undefined) throw Object.assign(new Error(reply.error.message), reply.error);
    return reply.value;
  }

  /** What a failing call threw, as the child saw it. */
  async failure(key: string, name: string, ...args: unknown[]): Promise<Failure> {
    const reply = await this.#request({ type: 'call', call: [key, name, args] });
    expect(reply.error).toBeDefined();
    return reply.error!;
  }

  /** Calls through a second registry in the same child, holding `graph`. */
  async callSecond(graph: ModuleGraph, name: string, ...args: unknown[]): Promise<{ value?: unknown; error?: Failure }> {
    return this.#request({ type: 'second', modules: graph.modules, call: [graph.root, name, args] });
  }

  /** Whether two calls return the very same object in the child. */
  async same(a: [string, string], b: [string, string]): Promise<boolean> {
    return (await this.#request({ type: 'same', calls: [[...a, []], [...b, []]] })).value as boolean;
  }

  /** Cuts the IPC channel: with nothing else holding it, the child must exit by itself. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.#child.disconnect();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    const code = await this.#exited;
    clearTimeout(timer);
    const written = readdirSync(this.#home);
    rmSync(this.#home, { recursive: true, force: true });
    expect(code, `the registry kept the child alive; stderr: ${this.#stderr}`).toBe(0);
    expect(written, 'files the context wrote').toEqual([]);
  }
}

describe('ModuleRegistry', () => {
  it('runs a TypeScript module and its imports from records alone', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('first.ts')));
    expect(await context.call(root, 'report')).toEqual({ evaluations: 1 });
    expect(context.fetches).toEqual([]);
  });

  it('evaluates a module imported by two called modules once', async () => {
    await using context = new Context();
    const first = await context.add(await server.graph(fixture('first.ts')));
    const second = await context.add(await server.graph(fixture('second.mts')));
    expect(await context.same([first, 'sharedToken'], [second, 'sharedToken'])).toBe(true);
    expect(await context.call(first, 'report')).toEqual({ evaluations: 1 });
  });

  it("gives a loaded module an import.meta.url naming the parent's file", async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('meta.ts')));
    const url = (await context.call(root, 'nested')) as string;
    expect(url.startsWith(`${fixture('dyn/a.ts').href}?x=`)).toBe(true);
    const records = await context.records([root]);
    expect(records[0]).toMatchObject({ key: root });
  });

  it("names the module's key (the parent's file URL) in stack traces", async () => {
    await using context = new Context();
    const graph = await server.graph(fixture('throws.ts'));
    const root = await context.add(graph);
    const failure = await context.failure(root, 'fail', 'on purpose');
    expect(failure).toMatchObject({ name: 'RangeError', message: 'failed: on purpose' });
    // Lines are the shipped JavaScript's: the root maps them to the TypeScript's (stack-paths.ts).
    expect(failure.stack).toMatch(new RegExp(`at Module\\.fail \\(${graph.root.replaceAll('?', '\\?')}:\\d+:\\d+\\)`));
  });

  it('loads a CommonJS package (named exports included) and an ESM package', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('packages.ts')));
    expect(await context.call(root, 'useAll', 'x')).toEqual(['hello x', 'helped', 'cjs-pkg', 'function', 42, 'X!', 'esm-default', '/', 'function']);
  });

  it('calls a CommonJS file of the caller as its own module', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('legacy.cjs')));
    expect(await context.call(root, 'add', 2, 3)).toBe(5);
    expect(await context.call(root, 'file')).toBe('legacy.cjs');
  });

  it('shares a package imported by the caller and by another package', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('instances.ts')));
    expect(await context.call(root, 'samePackageInstance')).toBe(true);
  });

  it('imports JSON statically and dynamically', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('json.mjs')));
    expect(await context.call(root, 'name')).toBe('data');
    expect(await context.call(root, 'later')).toEqual([1, 2]);
  });

  it('links an import cycle', async () => {
    await using context = new Context();
    const graph = await server.graph(fixture('cycle-a.ts'));
    const root = await context.add(graph);
    expect(await context.call(root, 'a')).toBe('ab');
    expect(await context.call(graph.modules.find((module) => module.key !== root)!.key, 'viaA')).toBe('ab');
  });

  it("resolves '@x/remote' to the context's runtime", async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('runtime.mjs')));
    expect(await context.call(root, 'names')).toEqual(['child', 'parent']);
  });

  it('loads a dynamic import on demand, once, sharing the modules already there', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('dynamic.ts')));
    const [b1, b2] = await Promise.all([context.call(root, 'load', 'b'), context.call(root, 'load', 'b')]);
    expect(b1).toEqual({ value: 'b', sameShared: true });
    expect(b2).toEqual(b1);
    expect(await context.call(root, 'load', 'b')).toEqual(b1);
    expect(await context.call(root, 'loadLiteral')).toBe('a');
    expect(await context.call(root, 'loadPackage')).toBe('LATE!');
    expect(context.fetches).toEqual(['./dyn/b.ts', './dyn/a.js', 'esm-pkg']);
  });

  it('answers import.meta.resolve() without fetching (the main thread is blocked while it runs)', async () => {
    await using context = new Context();
    const graph = await server.graph(fixture('dynamic.ts'));
    const root = await context.add(graph);
    expect(await context.call(root, 'where', './shared.js')).toBe(graph.modules[0]!.key);
    expect(await context.call(root, 'where', './dyn/b.js')).toBe(fixture('dyn/b.js').href);
    expect(await context.call(root, 'where', 'node:fs')).toBe('node:fs');
    expect(await context.call(root, 'where', 'esm-pkg')).toMatch(/^x-remote:import\?/);
    expect(context.fetches).toEqual([]);
    expect(await context.call(root, 'sameNamespace')).toBe(true);
    expect(context.fetches).toEqual(['./dyn/b.js']);
  });

  it('rejects a dynamic import of a missing file cleanly, and keeps working', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('dynamic.ts')));
    const failure = await context.failure(root, 'loadMissing');
    expect(failure).toMatchObject({ name: 'ModuleError', code: 'ERR_X_REMOTE_MODULE_NOT_FOUND' });
    expect(failure.message).toContain('dyn/missing.ts');
    expect(failure.stack).not.toContain('data:text/javascript');
    expect(await context.call(root, 'load', 'a')).toEqual({ value: 'a', sameShared: true });
  });

  it('rejects a dynamic import whose fetch fails with the fetch error', async () => {
    await using context = new Context(() => Promise.reject(Object.assign(new Error('the parent went away'), { code: 'ERR_X_TEST_CHANNEL' })));
    const root = await context.add(await server.graph(fixture('dynamic.ts')));
    expect(await context.failure(root, 'load', 'b')).toMatchObject({ message: 'the parent went away', code: 'ERR_X_TEST_CHANNEL' });
  });

  it('refuses to import a key it was never given, without reading the disk', async () => {
    await using context = new Context();
    const graph = await server.graph(fixture('first.ts'));
    const failure = await context.failure(graph.root, 'report');
    expect(failure).toMatchObject({ isModuleError: true, code: 'ERR_X_REMOTE_MODULE_NOT_FOUND' });
    expect(await context.records([graph.root])).toEqual([false]);
  });

  it('refuses a module whose dependency record is missing instead of reading the file', async () => {
    await using context = new Context();
    const graph = await server.graph(fixture('first.ts'));
    await context.add({ root: graph.root, modules: graph.modules.filter((module) => module.key === graph.root) });
    const failure = await context.failure(graph.root, 'report');
    expect(failure).toMatchObject({ isModuleError: true, code: 'ERR_X_REMOTE_MODULE_NOT_FOUND' });
    expect(failure.message).toContain('shared.ts');
  });

  it('keeps two registries in one process apart', async () => {
    await using context = new Context();
    const root = await context.add(await server.graph(fixture('dynamic.ts')));
    expect(await context.callSecond(await server.graph(fixture('cycle-a.ts')), 'a')).toMatchObject({ value: 'ab' });
    // The first registry still serves its own keys and fetches, and neither serves what it was not given.
    expect(await context.call(root, 'load', 'b')).toEqual({ value: 'b', sameShared: true });
    const unknown = await server.graph(fixture('first.ts'));
    expect((await context.callSecond({ root: unknown.root, modules: [] }, 'report')).error).toMatchObject({ code: 'ERR_X_REMOTE_MODULE_NOT_FOUND' });
    expect((await context.failure(unknown.root, 'report')).code).toBe('ERR_X_REMOTE_MODULE_NOT_FOUND');
  });

  it('keeps the first record of a key and serves it back', async () => {
    await using context = new Context();
    const graph = await server.graph(fixture('first.ts'));
    await context.add(graph);
    await context.add({ root: graph.root, modules: graph.modules.map((module) => ({ ...module, source: 'throw new Error("replaced")' })) });
    expect(await context.records(graph.modules.map((module) => module.key))).toEqual(graph.modules);
    expect(await context.call(graph.root, 'report')).toEqual({ evaluations: 1 });
  });
});
