import { TAG, type Tagged, encodeTag } from '../wire/codec.js';
import type { ChannelError } from '../errors.js';
import { InvalidArgumentError } from '../errors.js';
import type { DirectoryResult, FileOptions, TransferResult } from './file-options.js';
import type { Readable, Writable } from 'node:stream';

/** Per-call options: `timeoutMs` (milliseconds; the call rejects with CallTimeoutError) and `signal` (abort waiting). */
export interface CallOptions {
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The functions a module exports, each returning a Promise of its result, as `ctx.module()` gives them. */
export type ModuleProxy<T> = {
  readonly [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

const NO_OPTIONS: CallOptions = {};

/** The file methods of a Context, implemented by the root router (files/files.ts). */
export interface FileOperations {
  pushFile(context: Context, localPath: string, remotePath: string, options?: FileOptions): Promise<TransferResult>;
  fetchFile(context: Context, remotePath: string, localPath: string, options?: FileOptions): Promise<TransferResult>;
  pushDirectory(context: Context, localDir: string, remoteDir: string, options?: FileOptions): Promise<DirectoryResult>;
  fetchDirectory(context: Context, remoteDir: string, localDir: string, options?: FileOptions): Promise<DirectoryResult>;
  openRead(context: Context, remotePath: string, options?: { signal?: AbortSignal }): Readable;
  openWrite(context: Context, remotePath: string, options?: FileOptions): Writable & { result: Promise<TransferResult> };
}

/** What a Context asks of its router (RouterCore implements it): calls, shutdown, and the file methods. */
export interface ContextHost {
  call(context: Context, target: string | URL, exportName: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown>;
  callService(context: Context, name: string, method: string, args: unknown[], options: CallOptions, noReply: boolean): Promise<unknown>;
  requestShutdown(context: Context): void;
  files(): FileOperations;
}

/** The call methods of a context with options bound (see `Context.withOptions`). */
export class ContextCalls {
  readonly #context: Context | undefined;
  readonly #router: ContextHost;
  readonly #options: CallOptions;

  /** `context` undefined means this object is the Context itself. */
  constructor(context: Context | undefined, router: ContextHost, options: CallOptions) {
    this.#context = context;
    this.#router = router;
    this.#options = options;
  }

  /** Calls `exportName` of the module at `moduleUrl` (a file URL or absolute path) in the context with `args`. */
  call<R = unknown>(moduleUrl: string | URL, exportName: string, ...args: unknown[]): Promise<R> {
    return this.#router.call(this.#target, moduleUrl, exportName, args, this.#options, false) as Promise<R>;
  }

  /**
   * Sends a call that is never answered; resolves once it was sent, rejects if it could not be (awaiting
   * it is optional: an ignored failure is not an unhandled rejection). A failure of the function itself
   * comes back as an error log record.
   */
  callNoReply(moduleUrl: string | URL, exportName: string, ...args: unknown[]): Promise<void> {
    const sent = this.#router.call(this.#target, moduleUrl, exportName, args, this.#options, true) as Promise<void>;
    sent.catch(() => {});
    return sent;
  }

  /** A typed proxy: `ctx.module<typeof import('../tasks.js')>(url).fn(...args)` is `ctx.call(url, 'fn', ...args)`. */
  module<T>(moduleUrl: string | URL): ModuleProxy<T> {
    return proxyOf<T>((key, args) => this.call(moduleUrl, key, ...args));
  }

  /**
   * Calls `method` of the service `name` that this context exposed to its children (inside a context:
   * `parentContext().callService(...)` reaches what the root exposed with `router.expose`). Rejects with
   * a ChannelError 'refused' when no such service is exposed or its policy does not let this context in.
   */
  callService<R = unknown>(name: string, method: string, ...args: unknown[]): Promise<R> {
    return this.#router.callService(this.#target, name, method, args, this.#options, false) as Promise<R>;
  }

  /** A typed proxy of an exposed service: `parentContext().service<Lookup>('lookup').find(key)`. */
  service<T>(name: string): ModuleProxy<T> {
    return proxyOf<T>((key, args) => this.callService(name, key, ...args));
  }

  /** The same context with other call options (merged over these). */
  withOptions(options: CallOptions): ContextCalls {
    return new ContextCalls(this.#target, this.#router, { ...this.#options, ...checkCallOptions(options) });
  }

  get #target(): Context {
    return this.#context ?? (this as unknown as Context);
  }
}

/**
 * A context: a Node process this router can call into (or, inside a context, its parent). Calls go
 * through `call`, `callNoReply` and `module`; `disconnected` settles (never rejects) with the
 * ChannelError that ended it.
 */
export class Context extends ContextCalls {
  /** The context's id, unique within its router tree. */
  readonly id: number;
  /** The name given at start; its process title is `node (x:<name>)` and log records carry it. */
  readonly name: string;
  /** Its process id, where known (the root knows it for every context it started). */
  pid: number | undefined;
  /** Settles with the reason once the context is gone (exited, killed, stream lost, router closed). */
  readonly disconnected: Promise<ChannelError>;
  /** Kills the context's process group at once; set by whoever started it. */
  forceKill: (() => void) | undefined;
  /** @internal Settles when the context's process has exited, where this process is its parent. */
  exited: Promise<void> | undefined;
  readonly #router: ContextHost;
  #reason: ChannelError | undefined;
  #resolve!: (error: ChannelError) => void;

  constructor(router: ContextHost, id: number, name: string) {
    super(undefined, router, NO_OPTIONS);
    this.#router = router;
    this.id = id;
    this.name = name;
    this.pid = undefined;
    this.forceKill = undefined;
    this.exited = undefined;
    this.disconnected = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Whether the context is gone. */
  get isDisconnected(): boolean {
    return this.#reason !== undefined;
  }

  /** @internal The router calls this once the context is gone. */
  markDisconnected(error: ChannelError): void {
    if (this.#reason !== undefined) return;
    this.#reason = error;
    this.#resolve(error);
  }

  /**
   * Asks the context to end: it runs its @x/signals cleanup (`onExit` handlers) and exits; after
   * `timeoutMs` (milliseconds, default 3000) its whole process group is killed. Resolves once it is gone.
   * @throws ERR_X_INVALID_ARG for a negative or non-finite timeout.
   */
  async shutdown(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 3000;
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new InvalidArgumentError('timeoutMs', 'a finite number of milliseconds >= 0', timeoutMs);
    }
    if (this.#reason === undefined) this.#router.requestShutdown(this);
    // The channel closes a moment before the process is gone; "gone" means both, so no caller sees it alive.
    const gone = Promise.all([this.disconnected, this.exited]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      gone.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.forceKill?.();
      await gone;
    }
  }

  /**
   * Copies a local file to `remotePath` in the context: written to a temporary beside it, fsynced and
   * renamed into place only once its size and checksum (xxh3-128, or `checksum: 'sha256'`) match, so a
   * failed transfer leaves the old file. Resolves with `{ bytes, checksum, digest, changed }`. @throws FileError (Node's code, errno, syscall, path) for the
   * context's side, Node's own error for the local file, ChannelError when the context goes away.
   */
  pushFile(localPath: string, remotePath: string, options?: FileOptions): Promise<TransferResult> {
    return this.#router.files().pushFile(this, localPath, remotePath, options);
  }

  /** Copies the context's `remotePath` to a local file, with pushFile's guarantees in the other direction. */
  fetchFile(remotePath: string, localPath: string, options?: FileOptions): Promise<TransferResult> {
    return this.#router.files().fetchFile(this, remotePath, localPath, options);
  }

  /** Copies a local directory tree into the context: files, directories and symlinks (as links), with their modes. */
  pushDirectory(localDir: string, remoteDir: string, options?: FileOptions): Promise<DirectoryResult> {
    return this.#router.files().pushDirectory(this, localDir, remoteDir, options);
  }

  /** Copies a directory tree of the context here, as pushDirectory does the other way. */
  fetchDirectory(remoteDir: string, localDir: string, options?: FileOptions): Promise<DirectoryResult> {
    return this.#router.files().fetchDirectory(this, remoteDir, localDir, options);
  }

  /** The context's file as a Readable; a slow reader holds the sender back. Errors arrive as 'error' (FileError). */
  openRead(remotePath: string, options?: { signal?: AbortSignal }): Readable {
    return this.#router.files().openRead(this, remotePath, options);
  }

  /**
   * A Writable whose bytes become the context's `remotePath` atomically once it ends ('finish' follows the
   * rename there); destroyed before end(), nothing is written. `result` settles with the TransferResult.
   */
  openWrite(remotePath: string, options?: FileOptions): Writable & { result: Promise<TransferResult> } {
    return this.#router.files().openWrite(this, remotePath, options);
  }

  [encodeTag](): Tagged {
    return { [TAG]: 'c', id: this.id, name: this.name };
  }
}

function proxyOf<T>(call: (key: string, args: unknown[]) => Promise<unknown>): ModuleProxy<T> {
  const calls = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy(Object.create(null) as ModuleProxy<T>, {
    get: (_target, key) => {
      if (typeof key !== 'string' || key === 'then') return undefined;
      let fn = calls.get(key);
      if (fn === undefined) {
        fn = (...args: unknown[]) => call(key, args);
        calls.set(key, fn);
      }
      return fn;
    },
  });
}

function checkCallOptions(options: CallOptions): CallOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object with timeoutMs and/or signal', options);
  const { timeoutMs, signal } = options;
  if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0)) {
    throw new InvalidArgumentError('timeoutMs', 'a finite number of milliseconds >= 0', timeoutMs);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new InvalidArgumentError('signal', 'an AbortSignal', signal);
  return { timeoutMs, signal };
}
