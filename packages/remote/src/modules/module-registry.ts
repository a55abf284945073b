// The modules a context holds, linked and run in the context's own thread with `vm.SourceTextModule` (the
// context's Node runs with --experimental-vm-modules, which the first-stage command line passes). Node's
// `module.register()` hooks would run Node's loader on a second thread (a second V8 isolate: about 10 MiB and
// 25-50 ms of CPU per context); here the registry is the loader, so each key is one module instance it made.
import { isBuiltin } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { ModuleError, type ModuleErrorCode } from './module-error.js';
import type { ModuleGraph, ModuleRecord } from './module-record.js';

export type FetchMissing = (fromKey: string, specifier: string) => Promise<ModuleGraph>;

export interface ModuleRegistryOptions {
  /**
   * Imports a builtin (`node:<name>`). The core runs from `new Function`, where a bare `import()` has no module to
   * resolve against, so it passes a closure from a real module (its first stage). Defaults to this module's own.
   */
  importModule?: (url: string) => Promise<Record<string, unknown>>;
}

/** The URL the `@x/remote` specifier resolves to inside a context. */
export const RUNTIME_SHIM_URL = 'x-remote:runtime';
/** What a specifier that names a package the context has no record of resolves to (`import.meta.resolve`). */
const IMPORT_URL = 'x-remote:import?';
const RUNTIME = Symbol.for('@x/remote.runtime');
const KEY = /^file:[^?#]*\?x=[0-9a-f]{16}$/;
const ERROR_FIELDS = ['code', 'file', 'line', 'column', 'importer', 'specifier', 'addon'] as const;

type Module = vm.Module;
/** vm's module classes exist only under --experimental-vm-modules; @types/node declares them unconditionally. */
const SourceTextModule = vm.SourceTextModule as typeof vm.SourceTextModule | undefined;

/**
 * The modules a context holds: records from the parent, made into modules on first import, with nothing written
 * to disk; one key is one module instance however many called modules import it.
 */
export class ModuleRegistry {
  readonly #records = new Map<string, ModuleRecord>();
  /** Every module made so far: records by key, builtins by `node:` URL, and the runtime shim. */
  readonly #modules = new Map<string, Module>();
  /** Modules linked and evaluated (or on their way), so that concurrent imports share one evaluation. */
  readonly #ready = new WeakMap<Module, Promise<Module>>();
  /** What each URL that no record holds turned out to be, fetched once from the parent. */
  readonly #fetched = new Map<string, Promise<string>>();
  /** Links run one at a time: vm cannot instantiate a graph while another link holds part of it half-linked. */
  #linking: Promise<unknown> = Promise.resolve();
  readonly #fetchMissing: FetchMissing;
  readonly #importModule: (url: string) => Promise<Record<string, unknown>>;

  /**
   * @param fetchMissing asks the parent for the graph of a specifier no record names (a dynamic `import()`);
   *   called at most once per URL the specifier resolves to, unless it fails.
   */
  constructor(fetchMissing: FetchMissing, options: ModuleRegistryOptions = {}) {
    if (SourceTextModule === undefined) {
      throw new Error('@x/remote contexts need node --experimental-vm-modules (the first-stage command passes it); vm.SourceTextModule is missing');
    }
    quietExperimentalWarning();
    this.#fetchMissing = fetchMissing;
    this.#importModule = options.importModule ?? ((url) => import(url) as Promise<Record<string, unknown>>);
  }

  /** Makes `modules` loadable. Idempotent per key: a key's content never changes. */
  add(modules: readonly ModuleRecord[]): void {
    for (const record of modules) if (!this.#records.has(record.key)) this.#records.set(record.key, record);
  }

  has(key: string): boolean {
    return this.#records.has(key);
  }

  /** The record of `key`, so that a context starting its own children can serve them without asking upward. */
  get(key: string): ModuleRecord | undefined {
    return this.#records.get(key);
  }

  /** The namespace of the module `key` (added before), evaluating it and its graph on first use. */
  async import(key: string): Promise<Record<string, unknown>> {
    if (key.startsWith('node:')) return this.#importModule(key);
    if (key === '@x/remote') key = RUNTIME_SHIM_URL;
    else if (!this.#records.has(key)) {
      throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `module ${key} is not in this context: add() its graph before importing it`, { file: key });
    }
    try {
      return (await this.#evaluated(this.#module(key))).namespace as Record<string, unknown>;
    } catch (error) {
      throw asModuleError(error);
    }
  }

  /** Links (after any link in progress) and evaluates `module` once; later calls share the first. */
  #evaluated(module: Module): Promise<Module> {
    let ready = this.#ready.get(module);
    if (ready === undefined) {
      const linked = this.#linking.then(() => (module.status === 'unlinked' ? module.link(this.#link) : undefined));
      this.#linking = linked.catch(() => {});
      ready = linked.then(() => module.evaluate()).then(() => module);
      this.#ready.set(module, ready);
    }
    return ready;
  }

  /** The module made from the record (or the shim) at `url`, made on first use. */
  #module(url: string): Module {
    let module = this.#modules.get(url);
    if (module !== undefined) return module;
    const record = this.#records.get(url);
    if (url === RUNTIME_SHIM_URL) {
      module = new vm.SyntheticModule(['parentContext', 'currentContext'], function () {
        const runtime = (globalThis as Record<symbol, Record<string, unknown>>)[RUNTIME]!;
        this.setExport('parentContext', runtime['parentContext']);
        this.setExport('currentContext', runtime['currentContext']);
      }, { identifier: url });
    } else if (record === undefined) {
      throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `module ${url} was never sent to this context; its importer arrived without it (a bug in @x/remote: report it)`, { file: url });
    } else if (url.slice(0, url.indexOf('?')).endsWith('.json')) {
      module = new vm.SyntheticModule(['default'], function () {
        this.setExport('default', JSON.parse(record.source));
      }, { identifier: url });
    } else {
      module = new SourceTextModule!(record.source, {
        identifier: url,
        initializeImportMeta: (meta) => {
          const local = meta as ImportMeta & Record<string, unknown>;
          local.url = url;
          local.resolve = (specifier: string) => this.#resolve(specifier, url);
          if (url.startsWith('file:')) {
            local['filename'] = fileURLToPath(url.slice(0, url.indexOf('?')));
            local['dirname'] = dirname(local['filename'] as string);
          }
        },
        importModuleDynamically: ((specifier: string) => this.#dynamic(specifier, url)) as never,
      });
    }
    this.#modules.set(url, module);
    return module;
  }

  /** A builtin as a module of this registry, with the exports of its own namespace. */
  async #builtin(url: string): Promise<Module> {
    const namespace = await this.#importModule(url);
    let module = this.#modules.get(url);
    if (module === undefined) {
      const names = Object.keys(namespace);
      module = new vm.SyntheticModule(names, function () {
        for (const name of names) this.setExport(name, namespace[name]);
      }, { identifier: url });
      this.#modules.set(url, module);
    }
    return module;
  }

  readonly #link = (specifier: string, referencing: Module): Promise<Module> => this.#moduleAt(this.#resolve(specifier, referencing.identifier), referencing.identifier, specifier);

  async #dynamic(specifier: string, from: string): Promise<Module | Record<string, unknown>> {
    const url = this.#resolve(specifier, from);
    if (url.startsWith('node:')) return this.#importModule(url);
    return this.#evaluated(await this.#moduleAt(url, from, specifier));
  }

  /** The module `url` names: a record's, a builtin, the shim, or what the parent says the specifier is. */
  async #moduleAt(url: string, from: string, specifier: string): Promise<Module> {
    if (url.startsWith('node:')) return this.#builtin(url);
    if (url === RUNTIME_SHIM_URL || this.#records.has(url) || KEY.test(url)) return this.#module(url);
    let fetching = this.#fetched.get(url);
    if (fetching === undefined) {
      const [fromKey, asked] = url.startsWith(IMPORT_URL) ? importUrlParts(url) : [from, specifier];
      fetching = Promise.resolve()
        .then(() => this.#fetchMissing(fromKey, asked))
        .then((graph) => {
          this.add(graph.modules);
          return graph.root;
        });
      this.#fetched.set(url, fetching);
      // A failed fetch (the parent was busy or gone) may be tried again by the next import.
      fetching.catch(() => this.#fetched.delete(url));
    }
    const root = await fetching;
    return root.startsWith('node:') ? this.#builtin(root) : this.#module(root === '@x/remote' ? RUNTIME_SHIM_URL : root);
  }

  /**
   * Where `specifier` imported from the module `from` leads, as Node would name it locally: the record's own
   * dependency, a builtin, the parent's file URL for a relative specifier, an `x-remote:import` URL for a package.
   */
  #resolve(specifier: string, from: string): string {
    const dep = this.#records.get(from)?.deps[specifier];
    if (dep !== undefined) return dep === '@x/remote' ? RUNTIME_SHIM_URL : dep;
    if (specifier === '@x/remote') return RUNTIME_SHIM_URL;
    if (this.#records.has(specifier)) return specifier;
    if (specifier.startsWith('node:') || isBuiltin(specifier)) return specifier.startsWith('node:') ? specifier : `node:${specifier}`;
    if (/^(\.{0,2}\/|file:)/.test(specifier)) return new URL(specifier, from.slice(0, from.indexOf('?'))).href;
    return `${IMPORT_URL}from=${encodeURIComponent(from)}&specifier=${encodeURIComponent(specifier)}`;
  }
}

/**
 * Node warns "VM Modules is an experimental feature" once per process, at the first vm module made: make that one
 * here with the warning muted, so it never reaches the parent's log as the context's stderr.
 */
function quietExperimentalWarning(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    new vm.SyntheticModule([], () => {});
  } finally {
    process.emitWarning = emitWarning;
  }
}

function importUrlParts(url: string): [string, string] {
  const query = new URLSearchParams(url.slice(IMPORT_URL.length));
  return [query.get('from') ?? '', query.get('specifier') ?? ''];
}

/** An error from the parent arrives as a plain Error carrying a ModuleError's fields: give it back its class. */
function asModuleError(error: unknown): unknown {
  if (error instanceof ModuleError || !(error instanceof Error)) return error;
  const fields = error as Error & Record<string, unknown>;
  const code = fields['code'];
  if (typeof code !== 'string' || !code.startsWith('ERR_X_REMOTE_') || fields['name'] !== 'ModuleError') return error;
  const details: Record<string, unknown> = {};
  for (const field of ERROR_FIELDS) if (field !== 'code' && fields[field] !== undefined) details[field] = fields[field];
  const rebuilt = new ModuleError(code as ModuleErrorCode, error.message, details);
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}
