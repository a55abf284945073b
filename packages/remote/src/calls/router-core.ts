import { ChannelError } from '../errors.js';
import { type Frame, ENCODING_V8_SEGMENTS } from '../wire/frame.js';
import { type ErrorText, TAG, type Tagged, decodePayload } from '../wire/codec.js';
import { type LogLevel, SHUTDOWN } from '../routing/handles.js';
import { Routing } from '../routing/routing.js';
import type { CallHost } from './call-host.js';
import { CallClient, type PreparedCall, moduleHref } from './call-client.js';
import { CallServer } from './call-server.js';
import { type CallOptions, Context, type ContextHost, type FileOperations } from './context.js';
import { type LogInput, LogForwarder, type LogRecord } from './log-forwarder.js';
import { Receiver } from './receiver.js';
import { Sender } from './sender.js';
import type { ExposeOptions, ServiceHandlers } from './services.js';

export interface RouterCoreSettings {
  id: number;
  parentIds: readonly number[];
  name: string;
  maxMessageSize: number;
  logLevel: LogLevel;
  callTimeoutMs: number | undefined;
}

/**
 * The router shared by the parent (`Router`) and every context, so that a context can start contexts
 * of its own: routing (routing/) underneath, and on top the parts of the calls layer wired together:
 * the call client and server, receivers, log forwarding, and the Context objects. The root and the
 * context side differ only in the hooks they override (`prepareCall`, `loadShippedModule`, `deliverLog`).
 */
export class RouterCore extends Routing<Context> implements CallHost, ContextHost {
  readonly logLevel: LogLevel;
  readonly callTimeoutMs: number | undefined;
  /** Set once the router is closing: new calls fail with a 'shutdown' ChannelError. */
  closing = false;
  readonly #logs: LogForwarder;
  readonly #server: CallServer;
  readonly #client: CallClient;

  constructor(settings: RouterCoreSettings) {
    super(settings);
    this.logLevel = settings.logLevel;
    this.callTimeoutMs = settings.callTimeoutMs;
    this.#logs = new LogForwarder(this, settings.logLevel, (record) => this.deliverLog(record));
    this.#server = new CallServer(this, this.#logs, (target, modules) => this.loadShippedModule(target, modules));
    this.#client = new CallClient(this, (context, target) => this.prepareCall(context, target));
  }

  protected override onHandlerError(frame: Frame, error: unknown): void {
    this.reply(frame, false, error);
  }

  // ---- contexts ----

  /**
   * Rewrites the message and stack of each error from a context as it is decoded: the root's maps module
   * keys back to the files they came from (modules/stack-paths.ts); a context leaves them to the root.
   */
  protected errorText: ErrorText | undefined = undefined;

  /** Decodes a frame's payload; Contexts and Senders inside come back bound to this router. */
  decode(frame: Frame): unknown {
    return decodePayload(frame.payload, this.#revive, this.contextName(frame.src), frame.encoding === ENCODING_V8_SEGMENTS, this.errorText);
  }

  readonly #revive = (tagged: Tagged): unknown => {
    const id = tagged['id'];
    if (typeof id !== 'number') return tagged;
    if (tagged[TAG] === 'c') return this.contextFor(id, typeof tagged['name'] === 'string' ? tagged['name'] : String(id));
    if (tagged[TAG] === 's' && typeof tagged['handle'] === 'number') return new Sender(this, id, tagged['handle']);
    return tagged;
  };

  /** The one Context object for `id` in this process. */
  contextFor(id: number, name: string): Context {
    let context = this.known.get(id);
    if (context === undefined) {
      context = new Context(this, id, name);
      this.known.set(id, context);
    }
    return context;
  }

  /** Only the root knows who started whom (Router); a context trusts no claim about it. */
  startedBy(_child: number, _parent: number): boolean {
    return false;
  }

  forgetContext(id: number): void {
    this.known.delete(id);
  }

  get contexts(): Context[] {
    return [...this.known.values()];
  }

  // ---- calls ----

  /** Starts a call and returns its result; `noReply` sends it with no reply handle. */
  call(context: Context, target: string | URL, exportName: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    return this.#client.call(context, target, exportName, args, options, noReply);
  }

  /** Calls `method` of the service `name` that `context` exposed (see `expose`). */
  callService(context: Context, name: string, method: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown> {
    return this.#client.callService(context, name, method, args, options, noReply);
  }

  /** Sends `value` to `dst:handle` and resolves with the reply (`[1, value]`) or rejects with its error or dead reason. */
  request(dst: number, handle: number, value: unknown): Promise<unknown> {
    return this.#client.request(dst, handle, value);
  }

  /** Answers a call. An answer that cannot be encoded becomes an error answer; one too large, a dead 'too-large'. */
  reply(frame: Frame, ok: boolean, value: unknown): void {
    this.#server.reply(frame, ok, value);
  }

  /**
   * Lets contexts below this router call `handlers` as the service `name`; `policy` says which ones.
   * Nothing else in this process can be called from below.
   * @returns a function that withdraws the service.
   * @throws ERR_X_INVALID_ARG for a bad name, handlers or policy, or a name already exposed.
   */
  expose(name: string, handlers: ServiceHandlers, options: ExposeOptions): () => void {
    return this.#server.expose(name, handlers, options);
  }

  /** A new Receiver whose `sender` can be passed to a context as an argument. */
  receiver<T = unknown>(): Receiver<T> {
    return new Receiver<T>(this);
  }

  /**
   * Turns a module URL into what the call message carries. The root ships code; a context has nothing
   * to ship and no authority over its parent, so it can only call services (`callService`).
   */
  protected prepareCall(context: Context, target: string | URL): PreparedCall | Promise<PreparedCall> {
    moduleHref(target);
    throw new ChannelError('refused', `${this.name} cannot call modules in ${context.name}: code runs only on an ancestor's request. Have the parent expose a service (router.expose(name, handlers, { policy })) and call it with parentContext().service(name).`);
  }

  /** Loads the module a CALL names (kind 'm': records from an ancestor). Contexts implement it. */
  protected loadShippedModule(_target: string, _modules: unknown[] | null): Record<string, unknown> | Promise<Record<string, unknown>> {
    throw new ChannelError('refused', `${this.name} does not load shipped modules.`);
  }

  /** Context file methods: only the root moves files (Router). */
  files(): FileOperations {
    throw new ChannelError('refused', `File transfers start at the root router, not in ${this.name}.`);
  }

  // ---- logs ----

  /** Hands a log record toward the root (see LogForwarder.emit; `droppable: false` for producers that wait on `logsWait()`). */
  emitLog(record: LogInput, droppable = true): void {
    this.#logs.emit(record, droppable);
  }

  /** A promise to wait on before reading more output to turn into log records, or undefined while records flow. */
  logsWait(): Promise<void> | undefined {
    return this.#logs.wait();
  }

  /** Whether console output at `level` is shipped at all. */
  logs(level: LogRecord['level']): boolean {
    return this.#logs.ships(level);
  }

  /** The root's log listeners; contexts forward instead. */
  protected deliverLog(_record: LogRecord): void {}

  // ---- ending contexts ----

  /** Sends SHUTDOWN to a context (it runs its cleanup, then exits). */
  requestShutdown(context: Context): void {
    try {
      this.send(context.id, SHUTDOWN, 0, null);
    } catch {
      // Already gone.
    }
  }
}
