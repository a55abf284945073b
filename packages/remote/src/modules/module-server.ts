import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { init as lexerReady, parse as parseImports } from 'es-module-lexer';
import type * as esbuild from 'esbuild';
import { InvalidArgumentError } from '../errors.js';
import { bundleModule, loadEsbuild, stopEsbuild } from './module-bundle.js';
import { checkModuleSyntax } from './module-syntax.js';
import { ModuleError } from './module-error.js';
import { findFile, isCommonJs, isFile, jsonError, LITERAL_ADDON_REQUIRE, loaderOf, nativeAddon, sha256, statOf, syntaxError, unchanged, type FileInput } from './module-files.js';
import { checkModuleRoots, ModuleRoots, nearestPackage, packageLink, projectOf } from './module-roots.js';
import type { ModuleGraph, ModuleRecord } from './module-record.js';
import type { ShippedModule } from './stack-paths.js';

export { errorForContext, ModuleError, type ModuleErrorCode, type ModuleErrorDetails } from './module-error.js';
export type { ModuleGraph, ModuleRecord } from './module-record.js';

export interface ModuleServerOptions {
  /** Extra package.json "exports" conditions, besides Node's own `node` and `import`. */
  conditions?: string[];
  /**
   * Directories (absolute paths) whose module files a context may also import dynamically, besides the package of
   * each module called on it and the working directory's project.
   */
  moduleRoots?: string[];
}

/** Where an import specifier leads. */
type Target =
  | { kind: 'builtin'; id: string }
  | { kind: 'runtime' }
  | { kind: 'file'; file: string; bundle: boolean };

/** One file as last read and transformed; valid while every input keeps its mtime and size. */
interface Entry {
  inputs: FileInput[];
  source: string;
  /** sha256 of `source`, hex. */
  hash: string;
  /** A bundle's source map (JSON text), which stays here; a transformed file carries its own inline. */
  map?: string;
  /** Static import specifiers of `source`, in order, without repeats. */
  imports: string[];
  /** Resolution of `imports`, kept with the entry because it only changes when the file does. */
  resolved: Map<string, Target>;
}

interface Node {
  id: string;
  file: string;
  entry: Entry;
  deps: Map<string, Target>;
}


/**
 * How the caller's TypeScript and JSX files are transformed (plain JavaScript travels as written, module-syntax.ts).
 * The inline map carries no source text: the root maps stack lines back to the parent's file (stack-paths.ts) for
 * the cost of the mappings alone.
 */
const TRANSFORM = { format: 'esm', target: 'node20', sourcemap: 'inline', sourcesContent: false, logLevel: 'silent' } as const;

let liveServers = 0;

/**
 * The parent side of module loading: turns a module URL into the graph of records a context needs, transforming
 * TypeScript with esbuild (loaded only then: plain JavaScript needs only a syntax check), pre-bundling each package to one ESM record and refusing native addons. Files are
 * cached by path, mtime and size; records are content-addressed, so a context can cache them by key.
 */
export class ModuleServer {
  readonly #conditions: string[];
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<Entry>>();
  readonly #records = new Map<string, ModuleRecord>();
  readonly #files = new Map<string, string>();
  readonly #maps = new Map<string, string>();
  readonly #bareResolutions = new Map<string, Target>();
  readonly #moduleRoots: string[];
  /** The working directory's project when the server was made: a context may import from it. */
  readonly #project: string | undefined;
  /** The package directory (nearest package.json) of each called module's file URL, looked up once. */
  readonly #packages = new Map<string, string>();
  #resolver: Promise<{ resolve: esbuild.PluginBuild['resolve']; context: esbuild.BuildContext }> | undefined;
  #closed = false;

  constructor(options: ModuleServerOptions = {}) {
    if (options.conditions !== undefined && !(Array.isArray(options.conditions) && options.conditions.every((c) => typeof c === 'string'))) {
      throw new InvalidArgumentError('conditions', 'an array of strings', options.conditions);
    }
    this.#conditions = [...(options.conditions ?? [])];
    this.#moduleRoots = checkModuleRoots(options.moduleRoots);
    this.#project = projectOf();
    liveServers += 1;
  }

  /**
   * Starts esbuild's service and the import scanner, so that the first `graph()` does not pay for them. Safe to
   * call any number of times; `graph()` does it anyway.
   */
  warm(): Promise<void> {
    // A TypeScript transform with a source map, as graph() makes: esbuild's first one costs several times more.
    const transform = loadEsbuild().then((loaded) => loaded.transform('export const warm: number = 1;', { ...TRANSFORM, loader: 'ts', sourcefile: 'warm.ts' }));
    return Promise.all([lexerReady, transform]).then(() => undefined);
  }

  /** The module at `url` (file URL or absolute path) and its whole static import graph, dependencies first. */
  async graph(url: string | URL): Promise<ModuleGraph> {
    this.#checkOpen();
    const file = toFile(url);
    return this.#graphOf(await this.#classify(file, undefined, String(url)));
  }

  /**
   * The graph of what `specifier` names from the module `fromKey` (one this server produced): the answer to a
   * dynamic `import()` a context could not satisfy from its records. What it names must be a module file (no
   * dotfile) inside the package of a module in `called`, the working directory's project or `moduleRoots`, after
   * symlinks are resolved; its static imports are then the parent's own code's choice, and are not checked.
   * @param called keys of the modules the parent itself called on the asking context.
   * @throws ModuleError ERR_X_REMOTE_MODULE_REFUSED (checked before the disk is read), ERR_X_REMOTE_MODULE_NOT_FOUND,
   *   ERR_X_REMOTE_MODULE_SYNTAX, ERR_X_REMOTE_NATIVE_ADDON.
   */
  async resolve(fromKey: string, specifier: string, called: Iterable<string>): Promise<ModuleGraph> {
    this.#checkOpen();
    const from = this.fileOf(fromKey);
    if (from === undefined) {
      throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `cannot resolve '${specifier}': the importing module ${fromKey} was not produced by this parent`, { importer: fromKey, specifier });
    }
    const target = await this.#resolveSpecifier(specifier, fileURLToPath(from), this.#rootsFor(called));
    if (target.kind === 'builtin') return { root: target.id, modules: [] };
    if (target.kind === 'runtime') return { root: '@x/remote', modules: [] };
    return this.#graphOf(target);
  }

  /** What a context that was called into the modules `called` may import from. */
  #rootsFor(called: Iterable<string>): ModuleRoots {
    const roots = new Set(this.#moduleRoots);
    if (this.#project !== undefined) roots.add(this.#project);
    for (const key of called) {
      const url = this.fileOf(key);
      if (url === undefined) continue;
      let root = this.#packages.get(url);
      if (root === undefined) {
        const dir = path.dirname(fileURLToPath(url));
        root = nearestPackage(dir) ?? dir;
        this.#packages.set(url, root);
      }
      roots.add(root);
    }
    return new ModuleRoots(roots);
  }

  /** The parent's file URL (no query) of a key this server produced. */
  fileOf(key: string): string | undefined {
    return this.#files.get(key);
  }

  /** What this server shipped under `key`: the file it came from, its source and a bundle's map. */
  shipped(key: string): ShippedModule | undefined {
    const url = this.#files.get(key);
    const record = this.#records.get(key);
    return url === undefined || record === undefined ? undefined : { url, source: record.source, map: this.#maps.get(key) };
  }

  /** Stops esbuild's service once the last server closes (it is a child process, shared by every server). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    liveServers -= 1;
    const resolver = this.#resolver;
    this.#resolver = undefined;
    if (resolver !== undefined) await resolver.then(({ context }) => context.dispose(), () => undefined);
    if (liveServers === 0) await stopEsbuild();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkOpen(): void {
    // A closed server has stopped esbuild; using it again would start a service nobody stops.
    if (this.#closed) throw Object.assign(new Error('this ModuleServer is closed: create a new one'), { code: 'ERR_X_REMOTE_MODULE_SERVER_CLOSED' });
  }

  async #graphOf(root: Target & { kind: 'file' }): Promise<ModuleGraph> {
    await lexerReady;
    const nodes = new Map<string, Promise<Node>>();
    // Children are queued, not awaited by their importer: in an import cycle that would wait on itself.
    const visit = (target: Target & { kind: 'file' }, importer: string | undefined): void => {
      const id = nodeId(target);
      if (nodes.has(id)) return;
      const node = this.#node(target).then((loaded) => {
        for (const dep of loaded.deps.values()) if (dep.kind === 'file') visit(dep, target.file);
        return loaded;
      }, (error: unknown) => {
        throw importer !== undefined && target.bundle && error instanceof ModuleError && error.code === 'ERR_X_REMOTE_NATIVE_ADDON'
          ? nativeAddon(importer, `${error.addon} (through ${error.importer})`)
          : error;
      });
      // The first failure is thrown below; the others must not surface as unhandled rejections.
      node.catch(() => undefined);
      nodes.set(id, node);
    };
    visit(root, undefined);
    // `nodes` grows while this loop waits: each settled node has queued its dependencies before settling.
    for (const node of nodes.values()) await node;
    const loaded = new Map<string, Node>();
    for (const [id, node] of nodes) loaded.set(id, await node);
    const modules = this.#keyed(loaded);
    const rootKey = modules.keys.get(nodeId(root));
    return { root: rootKey!, modules: modules.ordered };
  }

  /** Keys every node (a Merkle hash; a cycle is hashed as one unit) and lists the records dependencies first. */
  #keyed(nodes: Map<string, Node>): { keys: Map<string, string>; ordered: ModuleRecord[] } {
    const keys = new Map<string, string>();
    const ordered: ModuleRecord[] = [];
    for (const component of stronglyConnected(nodes)) {
      const inside = new Set(component.map((node) => node.id));
      const depKey = (dep: Target): string => {
        if (dep.kind === 'builtin') return dep.id;
        if (dep.kind === 'runtime') return '@x/remote';
        const id = nodeId(dep);
        return inside.has(id) ? `cycle:${id}` : keys.get(id)!;
      };
      const digest = createHash('sha256');
      for (const node of [...component].sort((a, b) => (a.id < b.id ? -1 : 1))) {
        digest.update(`${node.id}\0${node.entry.hash}\0`);
        for (const [specifier, dep] of node.deps) digest.update(`${specifier}\0${depKey(dep)}\0`);
      }
      const unit = digest.digest('hex');
      for (const node of component) {
        const hash = component.length === 1 ? unit : createHash('sha256').update(`${unit}\0${node.id}`).digest('hex');
        const url = pathToFileURL(node.file).href;
        keys.set(node.id, `${url}?x=${hash.slice(0, 16)}`);
      }
      for (const node of component) {
        const key = keys.get(node.id)!;
        let record = this.#records.get(key);
        if (record === undefined) {
          const deps: Record<string, string> = {};
          for (const [specifier, dep] of node.deps) {
            deps[specifier] = dep.kind === 'file' ? keys.get(nodeId(dep))! : depKey(dep);
          }
          record = { key, source: node.entry.source, deps };
          this.#records.set(key, record);
          this.#files.set(key, pathToFileURL(node.file).href);
          if (node.entry.map !== undefined) this.#maps.set(key, node.entry.map);
        }
        ordered.push(record);
      }
    }
    return { keys, ordered };
  }

  async #node(target: Target & { kind: 'file' }): Promise<Node> {
    const entry = await this.#entry(target);
    const deps = new Map<string, Target>();
    await Promise.all(entry.imports.map(async (specifier) => {
      let dep = entry.resolved.get(specifier);
      if (dep === undefined || (dep.kind === 'file' && !isFile(dep.file))) {
        dep = await this.#resolveSpecifier(specifier, target.file);
        entry.resolved.set(specifier, dep);
      }
      deps.set(specifier, dep);
    }));
    // Keep the source order, so that the hash does not depend on which resolution finished first.
    const ordered = new Map<string, Target>();
    for (const specifier of entry.imports) ordered.set(specifier, deps.get(specifier)!);
    return { id: nodeId(target), file: target.file, entry, deps: ordered };
  }

  /** The entry of `target`, from the cache when none of its inputs changed. */
  #entry(target: Target & { kind: 'file' }): Promise<Entry> {
    const id = nodeId(target);
    const cached = this.#entries.get(id);
    if (cached !== undefined && cached.inputs.every(unchanged)) return Promise.resolve(cached);
    let loading = this.#loading.get(id);
    if (loading === undefined) {
      loading = (target.bundle ? this.#bundle(target.file) : this.#transform(target.file))
        .then((entry) => {
          this.#entries.set(id, entry);
          return entry;
        })
        .finally(() => this.#loading.delete(id));
      this.#loading.set(id, loading);
    }
    return loading;
  }

  /** One file of the caller's own code: types stripped, imports scanned; its imports become records of their own. */
  async #transform(file: string): Promise<Entry> {
    const stats = statOf(file);
    const text = readFileSync(file, 'utf8');
    const input = { file, mtimeMs: stats.mtimeMs, size: stats.size };
    if (file.endsWith('.json')) {
      try {
        JSON.parse(text);
      } catch (error) {
        throw jsonError(error, file, text);
      }
      return { inputs: [input], source: text, hash: sha256(text), imports: [], resolved: new Map() };
    }
    let source = text;
    const loader = loaderOf(file);
    if (loader === 'js') await checkModuleSyntax(text, file);
    else {
      const { transform } = await loadEsbuild();
      try {
        source = (await transform(text, { ...TRANSFORM, loader, sourcefile: file })).code;
      } catch (error) {
        throw syntaxError(error, file);
      }
    }
    // Scanned before the transform, which renames a module-level `require` (require2).
    const addon = LITERAL_ADDON_REQUIRE.exec(text);
    if (addon !== null) throw nativeAddon(file, path.resolve(path.dirname(file), addon[2]!));
    const imports = new Set<string>();
    for (const specifier of parseImports(source, file)[0]) {
      // Static imports only (1 = static, 4 and 6 = its source and defer phases): a dynamic import() is fetched
      // when it runs, so a branch never taken costs nothing and a missing file fails only if it is imported.
      if ((specifier.t === 1 || specifier.t === 4 || specifier.t === 6) && specifier.n !== undefined) imports.add(specifier.n);
    }
    return { inputs: [input], source, hash: sha256(source), imports: [...imports], resolved: new Map() };
  }

  async #bundle(file: string): Promise<Entry> {
    const bundled = await bundleModule(file, this.#conditions);
    return { ...bundled, hash: sha256(bundled.source), resolved: new Map() };
  }

  /**
   * What `specifier` names from `importer`, the way Node would find it (TypeScript's `.js` -> `.ts` added). With
   * `roots` (a context's own request), a file outside them is refused, a path before it is even looked up.
   */
  async #resolveSpecifier(specifier: string, importer: string, roots?: ModuleRoots): Promise<Target> {
    if (specifier === '@x/remote') return { kind: 'runtime' };
    if (specifier.startsWith('node:')) return { kind: 'builtin', id: specifier };
    if (isBuiltin(specifier)) return { kind: 'builtin', id: `node:${specifier}` };
    if (/^(\.{1,2}(\/|$)|\/|file:)/.test(specifier)) {
      const base = specifier.startsWith('file:') ? fileURLToPath(specifier) : path.resolve(path.dirname(importer), specifier.replace(/[?#].*$/, ''));
      if (roots !== undefined) refuse(roots.refusePath(base), specifier, importer, base);
      const found = findFile(base);
      if (found === undefined) {
        throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `cannot find module '${specifier}' (${base}) imported from ${importer}; check the path: modules are read from the parent's disk`, { file: base, importer, specifier });
      }
      if (roots !== undefined && !found.endsWith('.node')) refuse(roots.refuseFile(found), specifier, importer, base);
      return this.#classify(found, importer, specifier);
    }
    const cacheKey = `${path.dirname(importer)}\0${specifier}`;
    const cached = this.#bareResolutions.get(cacheKey);
    if (cached !== undefined && (cached.kind !== 'file' || isFile(cached.file))) return this.#checked(cached, roots, specifier, importer);
    if (specifier.includes('\0')) throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `cannot find package '${specifier}' imported from ${importer}: a specifier has no NUL byte`, { importer, specifier });
    const { resolve } = await this.#bareResolver();
    const result = await resolve(specifier, { kind: 'import-statement', resolveDir: path.dirname(importer) });
    if (result.errors.length > 0 || result.path === '') {
      throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `cannot find package '${specifier}' imported from ${importer}; install it where the parent's own import would find it`, { importer, specifier });
    }
    if (!result.external && roots !== undefined && !result.path.endsWith('.node')) refuse(roots.refuseFile(result.path, packageLink(specifier, importer)), specifier, importer);
    const target: Target = result.external ? { kind: 'builtin', id: `node:${result.path.replace(/^node:/, '')}` } : await this.#classify(result.path, importer, specifier, true);
    this.#bareResolutions.set(cacheKey, target);
    return target;
  }

  /** A cached bare resolution, checked against `roots` as a fresh one is. */
  #checked(target: Target, roots: ModuleRoots | undefined, specifier: string, importer: string): Target {
    if (roots !== undefined && target.kind === 'file' && !target.file.endsWith('.node')) {
      refuse(roots.refuseFile(target.file, packageLink(specifier, importer)), specifier, importer);
    }
    return target;
  }

  /** Decides how a file travels: its own record (ESM, TypeScript, JSON) or pre-bundled (packages, CommonJS). */
  async #classify(file: string, importer: string | undefined, specifier: string, bare = false): Promise<Target & { kind: 'file' }> {
    if (file.endsWith('.node')) throw nativeAddon(importer ?? file, file);
    if (!isFile(file)) {
      throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', importer === undefined
        ? `cannot find module ${specifier} (${file}); check the path: modules are read from the parent's disk`
        : `cannot find module '${specifier}' (${file}) imported from ${importer}`, { file, ...(importer === undefined ? {} : { importer, specifier }) });
    }
    // Only what lives in a node_modules directory is a package to bundle: a bare specifier that leads elsewhere
    // (a workspace package, a tsconfig "paths" alias) is the caller's own code, whose modules travel one by one
    // so that each stays one instance however it is reached.
    const packaged = bare && /[\\/]node_modules[\\/]/.test(file);
    if (packaged || file.endsWith('.cjs') || file.endsWith('.cts')) return { kind: 'file', file, bundle: true };
    if (file.endsWith('.js') && isCommonJs(file)) {
      await lexerReady;
      return { kind: 'file', file, bundle: !parseImports(readFileSync(file, 'utf8'), file)[3] };
    }
    return { kind: 'file', file, bundle: false };
  }

  #bareResolver(): Promise<{ resolve: esbuild.PluginBuild['resolve']; context: esbuild.BuildContext }> {
    this.#resolver ??= (async () => {
      let resolve: esbuild.PluginBuild['resolve'] | undefined;
      const context = await (await loadEsbuild()).context({
        bundle: true,
        write: false,
        platform: 'node',
        // Node reads neither "module" nor "browser", and adds no "module" condition: so must we.
        mainFields: ['main'],
        conditions: this.#conditions,
        logLevel: 'silent',
        plugins: [{ name: 'x-remote-resolver', setup: (build) => { resolve = build.resolve; } }],
      });
      return { resolve: resolve!, context };
    })();
    return this.#resolver;
  }
}

/** Throws the refusal `reason` (when there is one) for a context's import of `specifier`. */
function refuse(reason: string | undefined, specifier: string, importer: string, file?: string): void {
  if (reason === undefined) return;
  throw new ModuleError(
    'ERR_X_REMOTE_MODULE_REFUSED',
    `refused to send '${specifier}' (imported from ${importer}) to a context: ${reason}. A context may import only module files ` +
      `(.js .mjs .cjs .ts .mts .cts .tsx .jsx .json), never a dotfile, inside the package of a module called on it, the parent's ` +
      `working-directory project, or a directory listed in the Router's moduleRoots option; to allow this import, add its directory to moduleRoots`,
    { importer, specifier, ...(file === undefined ? {} : { file }) },
  );
}

function nodeId(target: Target & { kind: 'file' }): string {
  return target.bundle ? `bundle:${target.file}` : target.file;
}

function toFile(url: string | URL): string {
  if (url instanceof URL || (typeof url === 'string' && url.startsWith('file:'))) {
    const parsed = new URL(url);
    if (parsed.protocol === 'file:') return fileURLToPath(parsed);
  } else if (typeof url === 'string' && path.isAbsolute(url)) {
    return url;
  }
  throw new InvalidArgumentError('url', "a file: URL or an absolute path (build one with new URL('../m.ts', import.meta.url))", url);
}

/** Tarjan's algorithm: strongly connected components, each emitted after every component it imports. */
function stronglyConnected(nodes: Map<string, Node>): Node[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: Node[] = [];
  const onStack = new Set<string>();
  const components: Node[][] = [];
  let counter = 0;
  const connect = (node: Node): void => {
    index.set(node.id, counter);
    low.set(node.id, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node.id);
    for (const dep of node.deps.values()) {
      if (dep.kind !== 'file') continue;
      const next = nodes.get(nodeId(dep))!;
      if (!index.has(next.id)) {
        connect(next);
        low.set(node.id, Math.min(low.get(node.id)!, low.get(next.id)!));
      } else if (onStack.has(next.id)) {
        low.set(node.id, Math.min(low.get(node.id)!, index.get(next.id)!));
      }
    }
    if (low.get(node.id) === index.get(node.id)) {
      const component: Node[] = [];
      let member: Node;
      do {
        member = stack.pop()!;
        onStack.delete(member.id);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of nodes.values()) if (!index.has(node.id)) connect(node);
  return components;
}
