import { setMaxListeners } from 'node:events';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context, FileOperations } from './calls/context.js';
import { coreSource } from './connect/core-source.js';
import { ChannelError, InvalidArgumentError } from './errors.js';
import type { Frame } from './wire/frame.js';
import { ADD_ROUTE, FORWARD_MODULES, GET_MODULE, LOG_LEVELS, type LogLevel, ROOT_ID } from './routing/handles.js';
import { errorForContext, type ModuleGraph, ModuleServer } from './modules/module-server.js';
import { StackPaths } from './modules/stack-paths.js';
import { checkModuleRoots } from './modules/module-roots.js';
import { type PreparedCall, moduleHref } from './calls/call-client.js';
import type { LogRecord } from './calls/log-forwarder.js';
import { RouterCore } from './calls/router-core.js';
import type { StartedContext } from './connect/started-context.js';
import { type DockerOptions, type KubectlOptions, type MethodPlan, type SshOptions, type SudoOptions, type SuOptions, dockerPlan, kubectlPlan, sshPlan, sudoPlan, suPlan } from './connect/methods.js';
import { fileOperations } from './files/files.js';
import { spawnLocal } from './connect/spawn-local.js';
import { startOverStdio, startThrough } from './connect/stdio-start.js';

export interface RouterOptions {
  /** The largest message sent or accepted, in bytes (default 128 MiB). A larger one gets a 'too-large' ChannelError. */
  maxMessageSize?: number;
  /** A default timeout for every call, in milliseconds; off (undefined) by default. */
  callTimeoutMs?: number;
  /** The lowest console level a context ships ('debug' | 'info' | 'warn' | 'error' | 'silent'; default 'info'). */
  logLevel?: LogLevel;
  /** Prints each log record; default: `[name] text` on this process's stderr. `false` prints nothing. */
  logPrinter?: ((record: LogRecord) => void) | false;
  /** How long `close()` lets each context clean up before killing it, in milliseconds (default 3000). */
  closeTimeoutMs?: number;
  /**
   * More directories (absolute paths) whose module files a context may import dynamically (`import()` of a
   * specifier its shipped graph does not hold). By default a context may import only from the package of each
   * module called on it and from the working directory's project (nearest package.json at or above the cwd when
   * the Router is made, else the cwd); anything else is refused with ModuleError ERR_X_REMOTE_MODULE_REFUSED.
   */
  moduleRoots?: string[];
}

export interface LocalOptions {
  /** The context's name, in log records and its process title `node (x:<name>)` (default `local.<id>`). */
  name?: string;
  /** The node binary to run (default: this process's `process.execPath`). */
  nodePath?: string;
  /** The environment of the new process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Its working directory (default: this process's). */
  cwd?: string;
  /** How long it may take to start, in milliseconds (default 30000). */
  connectTimeoutMs?: number;
  /** Start the context as a child of this context instead of this process (the chain is routed through it). */
  via?: Context;
}

interface GraphEntry {
  graph: ModuleGraph;
  path: string;
  mtimeMs: number;
  size: number;
  /** When the file was last checked for changes (performance.now() milliseconds). */
  checkedAt: number;
}

/**
 * How long a module's graph is reused before its root file is checked for changes, in milliseconds.
 * A stat per call would cost more than the rest of a call's round trip.
 */
const RECHECK_MS = 1000;

interface Shipped {
  keys: Set<string>;
  /** Keys of the modules this router called on the context: its dynamic imports may come from their packages. */
  roots: Set<string>;
}

const DEFAULT_MAX_MESSAGE_SIZE = 128 * 1024 * 1024;

/**
 * The root of a tree of contexts: starts them, ships code to them, routes their messages and
 * collects their output. Close it (`await router.close()`, or `await using router = new Router()`)
 * to end every context it started.
 *
 * @example
 * import { Router } from '@x/remote';
 * await using router = new Router();
 * const ctx = await router.local({ name: 'w1' });
 * console.log(await ctx.call(new URL('./tasks.ts', import.meta.url), 'hostInfo'));
 */
export class Router extends RouterCore {
  readonly #server: ModuleServer;
  /** Names the parent's files and lines in place of module keys, in errors and in what contexts print. */
  readonly #paths: StackPaths;
  #files: FileOperations | undefined;
  readonly #graphs = new Map<string, GraphEntry>();
  readonly #shipped = new Map<number, Shipped>();
  /** For a context started `via` another: that context's id (its parent, which caches its modules). */
  readonly #parentOf = new Map<number, number>();
  readonly #listeners = new Set<(record: LogRecord) => void>();
  readonly #started = new Set<Context>();
  /** Per context, the last call still waiting for its module graph; close() stops the module server after them. */
  readonly #preparing = new Map<number, Promise<PreparedCall>>();
  /** preload()s in flight: close() stops the module server after them too. */
  readonly #preloading = new Set<Promise<unknown>>();
  readonly #closeTimeoutMs: number;
  /** Aborted by close(): starts in flight kill what they started and reject. Each listens on it while it runs. */
  readonly #stopStarts = unlimitedListeners(new AbortController());
  /** One promise per start in flight, settled when it is over: close() waits for them, so no context outlives it. */
  readonly #starting = new Set<Promise<void>>();
  #nextId = ROOT_ID + 1;
  #closed: Promise<void> | undefined;

  /** @throws ERR_X_INVALID_ARG for an option of the wrong type or range. */
  constructor(options: RouterOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
    const { maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE, callTimeoutMs, logLevel = 'info', logPrinter, closeTimeoutMs = 3000 } = options;
    const moduleRoots = checkModuleRoots(options.moduleRoots);
    if (!Number.isInteger(maxMessageSize) || maxMessageSize < 1024 || maxMessageSize > 0xffff_ffff) {
      throw new InvalidArgumentError('maxMessageSize', 'an integer number of bytes from 1024 to 4294967295', maxMessageSize);
    }
    if (callTimeoutMs !== undefined && (typeof callTimeoutMs !== 'number' || !Number.isFinite(callTimeoutMs) || callTimeoutMs < 0)) {
      throw new InvalidArgumentError('callTimeoutMs', 'a finite number of milliseconds >= 0', callTimeoutMs);
    }
    if (typeof logLevel !== 'string' || !(logLevel in LOG_LEVELS)) {
      throw new InvalidArgumentError('logLevel', `one of ${Object.keys(LOG_LEVELS).join(', ')}`, logLevel);
    }
    if (logPrinter !== undefined && logPrinter !== false && typeof logPrinter !== 'function') {
      throw new InvalidArgumentError('logPrinter', 'a function or false', logPrinter);
    }
    if (typeof closeTimeoutMs !== 'number' || !Number.isFinite(closeTimeoutMs) || closeTimeoutMs < 0) {
      throw new InvalidArgumentError('closeTimeoutMs', 'a finite number of milliseconds >= 0', closeTimeoutMs);
    }
    super({ id: ROOT_ID, parentIds: [], name: 'root', maxMessageSize, logLevel, callTimeoutMs });
    this.#server = new ModuleServer({ moduleRoots });
    this.#paths = new StackPaths((key) => this.#server.shipped(key));
    this.errorText = (text) => this.#paths.rewrite(text);
    this.#closeTimeoutMs = closeTimeoutMs;
    if (logPrinter !== false) this.#listeners.add(logPrinter ?? printRecord);
    this.addHandler(GET_MODULE, { kind: 'get-module', persist: true, fn: (frame) => this.#onGetModule(frame) });
  }

  /**
   * Starts a context: a child `node` process on this machine (or, with `via`, a child of that context)
   * running the core, in its own session so that everything it starts ends with it.
   * @returns the Context, once it is ready for calls.
   * @throws ERR_X_INVALID_ARG for bad options; ConnectError ERR_X_REMOTE_NODE_NOT_FOUND (no such node),
   *   ERR_X_REMOTE_EOF (it exited before it was ready), ERR_X_REMOTE_CONNECT_TIMEOUT; ChannelError
   *   'shutdown' after close().
   */
  async local(options: LocalOptions = {}): Promise<Context> {
    const settings = checkLocalOptions(options);
    const via = options.via;
    return this.#startContext(settings.name, 'local', via, async (id, name, core, signal) => {
      if (via === undefined) return spawnLocal(this, core, { ...settings, id, name, signal });
      return startThrough(this, via, id, 'spawnChild', { ...settings, id, name });
    });
  }

  /**
   * Starts a context over ssh: `ssh ... node -e '<first stage>' <name> <length>` (BatchMode, unless a
   * password is given: then ssh runs on a pty and the password is typed once at its prompt).
   * @throws ERR_X_INVALID_ARG for bad options; ConnectionRefusedError, ConnectionResetError (`transient`),
   *   AuthenticationError, PasswordError, HostKeyError, ConnectTimeoutError, EofError, NodeNotFoundError
   *   (each a ConnectError with `code`, `stderrTail` and `transient`).
   */
  ssh(options: SshOptions): Promise<Context> {
    return this.#startMethod(sshPlan(options));
  }

  /** Starts a context as another user with `sudo -S -p <fixed prompt> -u <username>` (default root); throws as ssh(). */
  sudo(options: SudoOptions = {}): Promise<Context> {
    return this.#startMethod(sudoPlan(options));
  }

  /** Starts a context as another user with `su <username> -c` (default root); throws as ssh(). */
  su(options: SuOptions = {}): Promise<Context> {
    return this.#startMethod(suPlan(options));
  }

  /** Starts a context in a running container with `docker exec -i`; throws as ssh(). */
  docker(options: DockerOptions): Promise<Context> {
    return this.#startMethod(dockerPlan(options, 'docker'));
  }

  /** Starts a context in a running container with `podman exec -i`; throws as ssh(). */
  podman(options: DockerOptions): Promise<Context> {
    return this.#startMethod(dockerPlan(options, 'podman'));
  }

  /** Starts a context in a pod with `kubectl exec -i`; throws as ssh(). */
  kubectl(options: KubectlOptions): Promise<Context> {
    return this.#startMethod(kubectlPlan(options));
  }

  #startMethod(plan: MethodPlan): Promise<Context> {
    return this.#startContext(plan.name, plan.defaultName, plan.via, (id, name, core, signal) => startOverStdio(this, core, id, name, plan, signal));
  }

  /**
   * The bookkeeping every method shares; `start` is how the first process of the context is started,
   * and must stop (kill what it started, then reject) when `signal` aborts. close() during a start:
   * the start rejects with ChannelError 'shutdown' (or its own connect error), and close() resolves only
   * once it has, so a context is either ended by close() or never handed out.
   */
  async #startContext(
    givenName: string | undefined,
    prefix: string,
    via: Context | undefined,
    start: (id: number, name: string, core: Buffer, signal: AbortSignal) => Promise<StartedContext>,
  ): Promise<Context> {
    if (this.closing) throw new ChannelError('shutdown', 'The router is closed; create a new Router to start contexts.');
    let over!: () => void;
    const settled = new Promise<void>((resolve) => {
      over = resolve;
    });
    this.#starting.add(settled);
    try {
      const id = this.#nextId++;
      const name = givenName ?? `${prefix}.${id}`;
      const signal = this.#stopStarts.signal;
      const core = await coreSource();
      const context = this.contextFor(id, name);
      this.#shipped.set(id, { keys: new Set(), roots: new Set() });
      try {
        if (signal.aborted) throw signal.reason;
        if (via !== undefined) this.#routeBelow(id, via);
        const started = await start(id, name, core, signal);
        context.pid = started.pid;
        context.forceKill = started.kill;
        context.exited = started.exited;
      } catch (error) {
        this.deleteRoute(id);
        this.#shipped.delete(id);
        this.#parentOf.delete(id);
        this.forgetContext(id);
        // One error per start, naming its context, rather than the abort reason every start shares.
        throw error === signal.reason ? new ChannelError('shutdown', `The router was closed while context ${name} was starting; what it had started was killed.`) : error;
      }
      this.#started.add(context);
      void context.disconnected.then(() => {
        this.#started.delete(context);
        this.#shipped.delete(id);
        this.#parentOf.delete(id);
      });
      if (this.closing) {
        // Ready a moment after close() took its list of contexts: nobody else will end this one.
        await context.shutdown({ timeoutMs: this.#closeTimeoutMs });
        throw new ChannelError('shutdown', `The router was closed while context ${name} was starting; it was ended.`);
      }
      return context;
    } finally {
      this.#starting.delete(settled);
      over();
    }
  }

  /**
   * Adds a listener for every log record from every context (console.*, fd 1 and fd 2 output).
   * @returns a function that removes it.
   */
  onLog(listener: (record: LogRecord) => void): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', 'a function', listener);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Builds the module graph of `moduleUrl` now (TypeScript transformed, imports resolved, packages bundled), so that
   * the first call into it, on any context, only ships it: a program that knows what it will call can do this while
   * its contexts connect. The graph is kept as a call keeps it, and made again once the module's file changes.
   * @throws ERR_X_INVALID_ARG for a `moduleUrl` that is not a file URL or absolute path; ModuleError as a call into
   *   the module would throw it (that call throws it again).
   */
  async preload(moduleUrl: string | URL): Promise<void> {
    const graph = this.#graph(moduleHref(moduleUrl));
    this.#preloading.add(graph);
    try {
      await graph;
    } finally {
      this.#preloading.delete(graph);
    }
  }

  /**
   * Ends every context: pending calls and receivers fail with a 'shutdown' ChannelError at once, each
   * context runs its cleanup and gets `closeTimeoutMs` before it is killed. Idempotent.
   */
  /** @internal The file methods of this router's contexts. */
  override files(): FileOperations {
    return (this.#files ??= fileOperations(this));
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    this.closing = true;
    // Starts in flight first: their ready handles must not take the dead messages below for answers.
    this.#stopStarts.abort(new ChannelError('shutdown', 'The router was closed while a context was starting.'));
    this.failAllHandlers('The router was closed before the answer came.');
    await Promise.all([...[...this.#started].map((context) => context.shutdown({ timeoutMs: this.#closeTimeoutMs })), ...this.#starting]);
    await Promise.allSettled([...this.#preparing.values(), ...this.#preloading]);
    await this.#server.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  protected override deliverLog(logged: LogRecord): void {
    // A function that prints an error prints its stack: it names the user's files as a thrown one does.
    const text = this.#paths.rewrite(logged.text);
    const record = text === logged.text ? logged : { ...logged, text };
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch (error) {
        process.emitWarning(`an @x/remote log listener threw: ${(error as Error).message}`);
      }
    }
  }

  /**
   * Calls leave in the order they were made: while one call to a context waits for its module graph,
   * later calls to that context wait behind it, even those whose graph is ready.
   */
  protected override prepareCall(context: Context, target: string | URL): PreparedCall | Promise<PreparedCall> {
    const href = moduleHref(target);
    const entry = this.#graphs.get(href);
    const ahead = this.#preparing.get(context.id);
    if (ahead === undefined && entry !== undefined && fresh(entry)) return this.#ship(context, entry.graph);
    const build = (): Promise<PreparedCall> => this.#graph(href).then((graph) => this.#ship(context, graph));
    const preparing = ahead === undefined ? build() : ahead.then(build, build);
    this.#preparing.set(context.id, preparing);
    const forget = (): void => {
      if (this.#preparing.get(context.id) === preparing) this.#preparing.delete(context.id);
    };
    preparing.then(forget, forget);
    return preparing;
  }

  /** The graph of the module at `href`: the one kept while its file is unchanged, else made (and kept). */
  #graph(href: string): Promise<ModuleGraph> {
    const ready = this.#graphs.get(href);
    if (ready !== undefined && fresh(ready)) return Promise.resolve(ready.graph);
    return this.#server.graph(href).then((graph) => {
      const path = fileURLToPath(href);
      const stats = statSync(path, { throwIfNoEntry: false });
      if (stats !== undefined) this.#graphs.set(href, { graph, path, mtimeMs: stats.mtimeMs, size: stats.size, checkedAt: performance.now() });
      return graph;
    });
  }

  /**
   * The call carries the records of the graph this context has not had yet (none after the first call).
   * For a context started `via` another, the records go to that parent first (FORWARD_MODULES, which it
   * keeps) and the call carries only their keys: the context fetches them from its parent, so the next
   * child of that parent needs none of them sent from here again.
   */
  #ship(context: Context, graph: ModuleGraph): PreparedCall {
    const shipped = this.#shipped.get(context.id);
    if (shipped === undefined || shipped.roots.has(graph.root)) return { kind: 'm', target: graph.root, modules: null };
    const missing = graph.modules.filter((record) => !shipped.keys.has(record.key));
    const sent = (): void => this.#markShipped(shipped, graph.modules, graph.root);
    const parent = this.#parentOf.get(context.id);
    const hop = parent === undefined ? undefined : this.#shipped.get(parent);
    if (parent === undefined || hop === undefined || missing.length === 0) return { kind: 'm', target: graph.root, modules: missing, sent };
    const forward = missing.filter((record) => !hop.keys.has(record.key));
    if (forward.length > 0) {
      this.send(parent, FORWARD_MODULES, 0, forward);
      this.#markShipped(hop, forward, undefined);
    }
    return { kind: 'm', target: graph.root, modules: missing.map((record) => ({ key: record.key })), sent };
  }

  #markShipped(shipped: Shipped, modules: ModuleGraph['modules'], root: string | undefined): void {
    for (const record of modules) shipped.keys.add(record.key);
    if (root !== undefined) shipped.roots.add(root);
  }

  override startedBy(child: number, parent: number): boolean {
    return this.#parentOf.get(child) === parent;
  }

  /**
   * Routes the new context `id` through `via`: here, and at every hop between this router and `via`
   * (oldest first, on the stream the start request follows, so each hop knows the route before the new
   * context's first frame). `via` routes it itself once it started it. Only the root assigns ids and
   * routes; a hop takes a route only from above (authority.ts).
   */
  #routeBelow(id: number, via: Context): void {
    if (!this.#shipped.has(via.id) || !this.addRoute(id, via.id)) throw new ChannelError('no-route', `No route to context ${via.name}: it is not a live context of this router.`);
    this.#parentOf.set(id, via.id);
    const hops: number[] = [];
    for (let hop = this.#parentOf.get(via.id); hop !== undefined; hop = this.#parentOf.get(hop)) hops.unshift(hop);
    for (const hop of hops) this.send(hop, ADD_ROUTE, 0, [id, via.id]);
  }

  #onGetModule(frame: Frame): void {
    const shipped = this.#shipped.get(frame.src);
    if (shipped === undefined) {
      this.sendDead(frame, 'refused', `refused by policy in root: ${this.contextName(frame.src)} is not a context this router started`);
      return;
    }
    let fromKey: unknown;
    let specifier: unknown;
    try {
      [fromKey, specifier] = this.decode(frame) as [unknown, unknown];
    } catch (error) {
      this.reply(frame, false, error);
      return;
    }
    if (typeof fromKey !== 'string' || typeof specifier !== 'string' || !shipped.keys.has(fromKey)) {
      this.sendDead(frame, 'refused', `refused by policy in root: ${this.contextName(frame.src)} asked for an import from a module it was never sent`);
      return;
    }
    // Only from what this router called on that context (shipped.roots), and no file's text in a refusal.
    this.#server.resolve(fromKey, specifier, shipped.roots).then(
      (graph) => {
        this.#markShipped(shipped, graph.modules, undefined);
        this.reply(frame, true, graph);
      },
      (error: unknown) => this.reply(frame, false, errorForContext(error)),
    );
  }
}

/** Any number of starts may be in flight at once (x runs 50 in parallel): no "possible leak" warning at 11. */
function unlimitedListeners(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}

function fresh(entry: GraphEntry): boolean {
  const now = performance.now();
  if (now - entry.checkedAt < RECHECK_MS) return true;
  const stats = statSync(entry.path, { throwIfNoEntry: false });
  if (stats === undefined || stats.mtimeMs !== entry.mtimeMs || stats.size !== entry.size) return false;
  entry.checkedAt = now;
  return true;
}

function printRecord(record: LogRecord): void {
  process.stderr.write(`[${record.context.name}] ${record.text}\n`);
}

function checkLocalOptions(options: LocalOptions): { name: string | undefined; nodePath: string; env: NodeJS.ProcessEnv | undefined; cwd: string | undefined; connectTimeoutMs: number } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
  const { name, nodePath = process.execPath, env, cwd, connectTimeoutMs = 30_000, via } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.length > 100 || /[\n\0]/.test(name))) {
    throw new InvalidArgumentError('name', 'a non-empty string of at most 100 characters without newlines', name);
  }
  if (typeof nodePath !== 'string' || nodePath === '') throw new InvalidArgumentError('nodePath', 'the path of a node binary', nodePath);
  if (env !== undefined && (typeof env !== 'object' || env === null)) throw new InvalidArgumentError('env', 'an object of environment variables', env);
  if (cwd !== undefined && typeof cwd !== 'string') throw new InvalidArgumentError('cwd', 'a directory path', cwd);
  if (typeof connectTimeoutMs !== 'number' || !Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new InvalidArgumentError('connectTimeoutMs', 'a finite number of milliseconds > 0', connectTimeoutMs);
  }
  if (via !== undefined && (typeof via !== 'object' || via === null || typeof via.id !== 'number' || typeof via.call !== 'function')) {
    throw new InvalidArgumentError('via', 'a Context of this router', via);
  }
  return { name, nodePath, env, cwd, connectTimeoutMs };
}
