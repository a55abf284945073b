// The answering side of calls: a module call from an ancestor (CALL_FUNCTION) or a service call from
// below (CALL_SERVICE) is checked, run, and answered on its reply handle. The calling side is call-client.ts.
import { formatWithOptions } from 'node:util';
import { NoSuchExportError } from '../errors.js';
import { CALL_FUNCTION, CALL_SERVICE } from '../routing/handles.js';
import { type Payload, encodeFor, payloadLength } from '../wire/codec.js';
import { encodeCompact } from '../wire/compact.js';
import { ENCODING_V8, ENCODING_V8_SEGMENTS, type Frame } from '../wire/frame.js';
import type { CallHost } from './call-host.js';
import type { CallMessage } from './call-client.js';
import type { LogForwarder } from './log-forwarder.js';
import { type ExposeOptions, type ServiceHandlers, Services } from './services.js';

/** Loads the module a CALL names (kind 'm': records from an ancestor). Only contexts load shipped modules. */
export type LoadShippedModule = (target: string, modules: unknown[] | null) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** A function that returned undefined answers `[1]`: the compact form has no undefined, and `[1][1]` is undefined. */
const VOID_ANSWER = [1] as const;

/** Runs the calls that reach this router and answers them. */
export class CallServer {
  readonly #host: CallHost;
  readonly #logs: LogForwarder;
  readonly #load: LoadShippedModule;
  readonly #services = new Services();

  constructor(host: CallHost, logs: LogForwarder, load: LoadShippedModule) {
    this.#host = host;
    this.#logs = logs;
    this.#load = load;
    host.addHandler(CALL_FUNCTION, { kind: 'call', persist: true, fn: (frame) => this.#onCall(frame) });
    host.addHandler(CALL_SERVICE, { kind: 'service-call', persist: true, fn: (frame) => this.#onServiceCall(frame) });
  }

  /**
   * Lets contexts below this router call `handlers` as the service `name`; `policy` says which ones.
   * @returns a function that withdraws the service.
   * @throws ERR_X_INVALID_ARG for a bad name, handlers or policy, or a name already exposed.
   */
  expose(name: string, handlers: ServiceHandlers, options: ExposeOptions): () => void {
    return this.#services.expose(name, handlers, options);
  }

  /**
   * Answers a call. An answer that cannot be encoded becomes an error answer; one too large, a dead
   * 'too-large'. The calls run here answer through the host's `reply` (RouterCore.reply, which lands
   * here): one door for every answer this process gives, which tests' hostile fixtures wrap.
   */
  reply(frame: Frame, ok: boolean, value: unknown): void {
    const host = this.#host;
    if (frame.replyTo === 0) {
      if (!ok) this.#logs.emit({ contextId: host.id, stream: 'console', level: 'error', text: `a call with no reply failed: ${formatWithOptions({ colors: false }, '%O', value)}` });
      return;
    }
    let payload: Payload;
    try {
      payload = (ok ? encodeCompact(value === undefined ? VOID_ANSWER : [1, value]) : undefined) ?? encodeFor(frame.src, ok ? [1, value] : [0, value]);
    } catch (error) {
      payload = encodeFor(frame.src, [0, error]);
    }
    const length = payloadLength(payload);
    if (length > host.maxMessageSize) {
      host.sendDead(frame, 'too-large', `the answer from ${host.name} (${length} bytes) exceeds maxMessageSize (${host.maxMessageSize} bytes)`);
      return;
    }
    try {
      host.sendPayload(frame.src, frame.replyTo, 0, Array.isArray(payload) ? ENCODING_V8_SEGMENTS : ENCODING_V8, payload);
    } catch {
      // The caller is gone: its own side already failed the call.
    }
  }

  /** A call from an ancestor (the authority table let nothing else through): a module it shipped. */
  #onCall(frame: Frame): void {
    const message = this.#callMessage(frame);
    if (message === undefined) return;
    const [kind, target, modules, exportName, args] = message;
    if (kind !== 'm') {
      this.#host.sendDead(frame, 'refused', `a call of kind ${String(kind)} reached ${this.#host.name} on the module call handle`);
      return;
    }
    let loaded: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      loaded = this.#load(target, modules);
    } catch (error) {
      this.#host.reply(frame, false, error);
      return;
    }
    if (loaded instanceof Promise) {
      loaded.then(
        (namespace) => this.#invoke(frame, namespace, target, exportName, args),
        (error: unknown) => this.#host.reply(frame, false, error),
      );
    } else {
      this.#invoke(frame, loaded, target, exportName, args);
    }
  }

  /** A call from below into an exposed service: the service's policy decides, then its handler runs. */
  #onServiceCall(frame: Frame): void {
    const message = this.#callMessage(frame);
    if (message === undefined) return;
    const [kind, name, , method, args] = message;
    const host = this.#host;
    const caller = host.contextFor(frame.src, host.contextName(frame.src));
    const found = kind === 's' ? this.#services.find(name, method, caller) : { refused: `a call of kind ${String(kind)} reached the service handle` };
    if ('refused' in found) {
      host.sendDead(frame, 'refused', `refused by policy in ${host.name}: ${found.refused}`);
      return;
    }
    this.#invoke(frame, found.handlers, `service ${name}`, method, args);
  }

  /** The decoded call message, or undefined when it was malformed (the sender got an answer saying so). */
  #callMessage(frame: Frame): CallMessage | undefined {
    let message: CallMessage;
    try {
      message = this.#host.decode(frame) as CallMessage;
    } catch (error) {
      this.#host.reply(frame, false, error);
      return undefined;
    }
    if (!Array.isArray(message) || message.length !== 5 || typeof message[1] !== 'string' || typeof message[3] !== 'string' || !Array.isArray(message[4])) {
      this.#host.sendDead(frame, 'refused', `a malformed call message reached ${this.#host.name}`);
      return undefined;
    }
    return message;
  }

  #invoke(frame: Frame, namespace: Record<string, unknown>, target: string, exportName: string, args: unknown[]): void {
    let result: unknown;
    try {
      const fn = namespace[exportName];
      if (typeof fn !== 'function') throw new NoSuchExportError(target, exportName, fn);
      result = (fn as (...args: unknown[]) => unknown)(...args);
    } catch (error) {
      this.#host.reply(frame, false, error);
      return;
    }
    if (result instanceof Promise || (typeof result === 'object' && result !== null && typeof (result as PromiseLike<unknown>).then === 'function')) {
      (result as PromiseLike<unknown>).then(
        (value) => this.#host.reply(frame, true, value),
        (error: unknown) => this.#host.reply(frame, false, error),
      );
    } else {
      this.#host.reply(frame, true, result);
    }
  }
}
