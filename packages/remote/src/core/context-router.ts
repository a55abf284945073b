import { exitAfterCleanup } from '@x/signals';
import type { ModuleGraph, ModuleRecord } from '../modules/module-record.js';
import { ModuleRegistry } from '../modules/module-registry.js';
import { FORWARD_MODULES, GET_MODULE, GET_RECORDS, KILL_CHILD, ROOT_ID, SHUTDOWN, type BootstrapConfig } from '../routing/handles.js';
import { RouterCore } from '../calls/router-core.js';
import type { Frame } from '../wire/frame.js';

/** What the first stage hands the core. */
export interface Boot {
  name: string;
  /** The compressed core itself, so this context can start contexts of its own. */
  core: Buffer;
  load: (specifier: string) => Promise<unknown>;
}

/**
 * The router inside a context: it loads shipped modules into its registry, obeys SHUTDOWN from its
 * ancestors, starts children of its own on request, and ends the process (and its process group)
 * when its parent goes away.
 */
export class ContextRouter extends RouterCore {
  readonly #boot: Boot;
  #registry: ModuleRegistry | undefined;
  readonly #namespaces = new Map<string, Record<string, unknown>>();
  /** The last call still waiting for its module; later calls wait behind it. */
  #loading: Promise<Record<string, unknown>> | undefined;
  readonly #children = new Map<number, () => void>();
  #ending = false;

  constructor(config: BootstrapConfig, boot: Boot) {
    super({ id: config.id, parentIds: config.parentIds, name: config.name, maxMessageSize: config.maxMessageSize, logLevel: config.logLevel, callTimeoutMs: undefined });
    this.#boot = boot;
    this.addHandler(SHUTDOWN, { kind: 'shutdown', persist: true, fn: () => this.end(false) });
    this.addHandler(KILL_CHILD, { kind: 'kill-child', persist: true, fn: (frame) => this.#children.get(this.decode(frame) as number)?.() });
    this.addHandler(FORWARD_MODULES, { kind: 'forward-modules', persist: true, fn: (frame) => this.#modules().add(this.decode(frame) as ModuleRecord[]) });
    this.addHandler(GET_RECORDS, { kind: 'get-records', persist: true, fn: (frame) => this.#serveRecords(frame) });
  }

  #modules(): ModuleRegistry {
    this.#registry ??= new ModuleRegistry((fromKey, specifier) => this.request(ROOT_ID, GET_MODULE, [fromKey, specifier]) as Promise<ModuleGraph>, {
      importModule: this.#boot.load as (url: string) => Promise<Record<string, unknown>>,
    });
    return this.#registry;
  }

  /**
   * Calls start in the order they arrived: while a module loads, later calls (even to loaded modules)
   * queue behind it, so a call is never overtaken by one sent after it.
   */
  protected override loadShippedModule(target: string, modules: unknown[] | null): Record<string, unknown> | Promise<Record<string, unknown>> {
    const loaded = this.#namespaces.get(target);
    const ahead = this.#loading;
    if (loaded !== undefined && ahead === undefined) return loaded;
    const load = (): Record<string, unknown> | Promise<Record<string, unknown>> => this.#namespaces.get(target) ?? this.#load(target, modules);
    const loading = ahead === undefined ? Promise.resolve(load()) : ahead.then(load, load);
    this.#loading = loading;
    const forget = (): void => {
      if (this.#loading === loading) this.#loading = undefined;
    };
    loading.then(forget, forget);
    return loading;
  }

  #load(target: string, modules: unknown[] | null): Promise<Record<string, unknown>> {
    const registry = this.#modules();
    const records = (modules ?? []) as Partial<ModuleRecord>[];
    // Records the parent already holds arrive as bare keys: fetch them from it, not from the root.
    const missing = records.filter((record) => typeof record.source !== 'string' && !registry.has(String(record.key))).map((record) => String(record.key));
    const complete = records.filter((record) => typeof record.source === 'string') as ModuleRecord[];
    if (complete.length > 0) registry.add(complete);
    const fetched = missing.length === 0 ? undefined : (this.request(this.parentIds[0]!, GET_RECORDS, missing) as Promise<ModuleRecord[]>).then((found) => registry.add(found));
    const load = (): Promise<Record<string, unknown>> =>
      registry.import(target).then((namespace) => {
        this.#namespaces.set(target, namespace);
        return namespace;
      });
    return fetched === undefined ? load() : fetched.then(load);
  }

  #serveRecords(frame: Frame): void {
    const keys = this.decode(frame);
    const registry = this.#modules();
    if (!Array.isArray(keys)) throw new TypeError('GET_RECORDS wants an array of keys');
    const found = keys.map((key) => registry.get(String(key)));
    const lost = keys.filter((_key, index) => found[index] === undefined);
    if (lost.length > 0) throw new Error(`${this.name} does not hold the modules ${lost.join(', ')}`);
    this.reply(frame, true, found);
  }

  protected override onParentLost(): void {
    this.end(true);
  }

  /**
   * Ends the context: the @x/signals cleanup runs (onExit handlers, under their deadlines), then the
   * process exits. When the parent is gone nobody will reap what this context started, so it then
   * kills its whole process group (itself last) instead of exiting normally.
   */
  end(parentGone: boolean): void {
    if (parentGone) {
      process.on('exit', killGroup);
      setTimeout(killGroup, 10_000).unref();
    }
    if (this.#ending) return;
    this.#ending = true;
    this.closing = true;
    void exitAfterCleanup({ code: 0 });
  }

  /**
   * Makes context `id` one of this context's children: the modules it asks for are served from here,
   * and KILL_CHILD runs `kill`. Children are started by a module shipped on demand (via-child.ts), so
   * contexts that never start one never carry that code.
   */
  adoptChild(id: number, name: string, kill: () => void): void {
    this.#children.set(id, kill);
    void this.contextFor(id, name).disconnected.then(() => this.#children.delete(id));
  }
}

/**
 * Kills this process's group: the one its parent started for it (a local child, the core under a supervisor, the
 * session sshd or su makes), or, under sudo, the group of the sudo its parent started, which holds nothing else.
 */
function killGroup(): void {
  try {
    process.kill(0, 'SIGKILL');
  } catch {
    process.exit(0);
  }
}
