// Shipped on demand to a context that starts a child of its own (`via`): a local one, or one over ssh,
// sudo, su or a container exec. This is the only way a context starts a child; contexts that never do
// never load it, which keeps the core sent on every connect small. The root calls `spawnChild` or
// `connectChild` in the via context like any module function (only an ancestor may call).
import type { SpawnLocalOptions } from './spawn-local.js';
import { spawnLocal } from './spawn-local.js';
import type { RouterCore } from '../calls/router-core.js';
import { type ConnectFailure, type PromptRules, connectStdio, spawnStdio } from './stdio-connect.js';

/** What the root sends: the command is built there, so this context needs no option parsing. */
export interface ConnectChildRequest {
  id: number;
  name: string;
  argv: string[];
  nodePath: string;
  where: string;
  connectTimeoutMs: number;
  rules: PromptRules;
}

/** The typed errors' names and codes, rebuilt as classes by the root (RemoteError carries both). */
export const FAILURES: Record<ConnectFailure, [name: string, code: string]> = {
  password: ['PasswordError', 'ERR_X_REMOTE_PASSWORD'],
  auth: ['AuthenticationError', 'ERR_X_REMOTE_AUTH'],
  'host-key': ['HostKeyError', 'ERR_X_REMOTE_HOST_KEY'],
  refused: ['ConnectionRefusedError', 'ERR_X_REMOTE_CONNECTION_REFUSED'],
  reset: ['ConnectionResetError', 'ERR_X_REMOTE_CONNECTION_RESET'],
  timeout: ['ConnectTimeoutError', 'ERR_X_REMOTE_CONNECT_TIMEOUT'],
  eof: ['EofError', 'ERR_X_REMOTE_EOF'],
  'node-not-found': ['NodeNotFoundError', 'ERR_X_REMOTE_NODE_NOT_FOUND'],
};

/** What the context's core (core/main.ts) publishes for modules like this one. */
interface Runtime {
  /** The context's router (core/context-router.ts), which keeps the children it adopts. */
  router: RouterCore & { adoptChild(id: number, name: string, kill: () => void): void };
  core: Buffer;
}

const classes = new Map<string, new (message: string, code: string, stderrTail: string) => Error>();

function failureClass(name: string): new (message: string, code: string, stderrTail: string) => Error {
  let made = classes.get(name);
  if (made === undefined) {
    made = {
      [name]: class extends Error {
        readonly code: string;
        constructor(message: string, code: string, stderrTail: string) {
          super(message, { cause: stderrTail });
          this.code = code;
        }
      },
    }[name]!;
    classes.set(name, made);
  }
  return made;
}

function runtime(): Runtime {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('@x/remote.runtime')] as Runtime;
}

/** What the root sends for a local child: spawnLocal's options, without the signal (the call's end stops it). */
export type SpawnChildRequest = Omit<SpawnLocalOptions, 'signal'>;

/** Starts context `request.id` as a local child process of this context (fd 3 channel, like the root's own). */
export async function spawnChild(request: SpawnChildRequest): Promise<{ pid: number }> {
  const { router, core } = runtime();
  const spawned = await spawnLocal(router, core, request);
  router.adoptChild(request.id, request.name, spawned.kill);
  return { pid: spawned.pid };
}

/** Starts context `request.id` with a command (ssh, sudo, su...) as a child of this context. */
export async function connectChild(request: ConnectChildRequest): Promise<{ pid: number }> {
  const { router, core } = runtime();
  const child = spawnStdio(request.argv, undefined);
  // From here the root's KILL_CHILD reaches it, and its module requests are served from this context.
  router.adoptChild(request.id, request.name, child.kill);
  // The root routed the new id towards this context before it asked (routes change only from above).
  return connectStdio(router, core, child, {
    ...request,
    // A class of the right name, so the root can rebuild the typed error; the tail travels as the cause.
    makeError: (kind, message, stderrTail) => new (failureClass(FAILURES[kind][0]))(message, FAILURES[kind][1], stderrTail),
  });
}
