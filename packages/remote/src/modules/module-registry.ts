import { register } from 'node:module';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { loaderHooksSource, RUNTIME_SHIM_URL, type FromHooks, type SerializedModuleError, type ToHooks } from './loader-hooks.js';
import { ModuleError, type ModuleErrorCode } from './module-error.js';
import type { ModuleGraph, ModuleRecord } from './module-record.js';

export type FetchMissing = (fromKey: string, specifier: string) => Promise<ModuleGraph>;

export interface ModuleRegistryOptions {
  /**
   * Imports a URL. The core runs from `new Function`, where a bare `import()` has no module to resolve against,
   * so it passes a closure from a real module (its first stage). Defaults to this module's own `import()`.
   */
  importModule?: (url: string) => Promise<Record<string, unknown>>;
}

const REGISTRIES = Symbol.for('@x/remote.registries');
const ERROR_FIELDS = ['code', 'file', 'line', 'column', 'importer', 'specifier', 'addon'] as const;

/**
 * The modules a context holds, and the loader hooks that serve them to Node's own ESM loader: nothing is written
 * to disk, and one key is one module instance however many called modules import it.
 */
export class ModuleRegistry {
  readonly #records = new Map<string, ModuleRecord>();
  readonly #fetching = new Map<string, Promise<ModuleGraph>>();
  readonly #fetchMissing: FetchMissing;
  readonly #importModule: (url: string) => Promise<Record<string, unknown>>;
  readonly #port: MessagePort;

  /**
   * @param fetchMissing asks the parent for the graph of a specifier no record names (a dynamic `import()`);
   *   called on the main thread, at most once at a time per (module, specifier).
   */
  constructor(fetchMissing: FetchMissing, options: ModuleRegistryOptions = {}) {
    this.#fetchMissing = fetchMissing;
    this.#importModule = options.importModule ?? ((url) => import(url) as Promise<Record<string, unknown>>);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    // Adding the listener refs the port, so unref after it: the registry must never keep a context alive.
    port1.on('message', (message: FromHooks) => void this.#serveFetch(message));
    port1.unref();
    // Shipped modules carry inline source maps: stack traces then name lines of the parent's TypeScript.
    process.setSourceMapsEnabled(true);
    // Each registry gets its own instance of the hooks module (a distinct URL), so that two registries in one
    // process (tests, or two copies of this package) chain instead of sharing one port.
    const registries = globalThis as unknown as Record<symbol, number>;
    const index = (registries[REGISTRIES] = (registries[REGISTRIES] ?? 0) + 1) - 1;
    register(`data:text/javascript,${encodeURIComponent(`${loaderHooksSource}\n// registry ${index}\n`)}`, {
      parentURL: 'file:///',
      data: { port: port2, innermost: index === 0 },
      transferList: [port2],
    });
  }

  /** Makes `modules` loadable. Idempotent per key: a key's content never changes. */
  add(modules: readonly ModuleRecord[]): void {
    const fresh = modules.filter((record) => !this.#records.has(record.key));
    if (fresh.length === 0) return;
    for (const record of fresh) this.#records.set(record.key, record);
    this.#post({ type: 'add', records: fresh });
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
    if (key === '@x/remote') key = RUNTIME_SHIM_URL;
    else if (!key.startsWith('node:') && !this.#records.has(key)) {
      throw new ModuleError(
        'ERR_X_REMOTE_MODULE_NOT_FOUND',
        `module ${key} is not in this context: add() its graph before importing it`,
        { file: key },
      );
    }
    try {
      return await this.#importModule(key);
    } catch (error) {
      throw asModuleError(error);
    }
  }

  async #serveFetch(message: FromHooks): Promise<void> {
    if (message.type !== 'fetch') return;
    let reply: ToHooks;
    try {
      const graph = await this.#fetch(message.fromKey, message.specifier);
      this.add(graph.modules);
      reply = { type: 'reply', id: message.id, root: graph.root };
    } catch (error) {
      reply = { type: 'reply', id: message.id, error: serialize(error) };
    }
    this.#post(reply);
  }

  #fetch(fromKey: string, specifier: string): Promise<ModuleGraph> {
    const id = `${fromKey}\0${specifier}`;
    let fetching = this.#fetching.get(id);
    if (fetching === undefined) {
      fetching = Promise.resolve()
        .then(() => this.#fetchMissing(fromKey, specifier))
        .finally(() => this.#fetching.delete(id));
      this.#fetching.set(id, fetching);
    }
    return fetching;
  }

  #post(message: ToHooks): void {
    this.#port.postMessage(message);
  }
}

function serialize(error: unknown): SerializedModuleError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const fields: SerializedModuleError = { name: error.name, message: error.message };
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (value !== undefined) (fields as Record<string, unknown>)[field] = value;
  }
  return fields;
}

/** Errors from the hooks thread arrive as plain Errors; give ours back their class. */
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
