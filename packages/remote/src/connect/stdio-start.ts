// The root's side of the methods over stdio: run the command here (on a pty when ssh must be typed a
// password) or ask the `via` context to run it, and turn failures into the typed errors.
import { PassThrough } from 'node:stream';
import { hybridTtyCreateChild } from '@x/process';
import {
  AuthenticationError,
  ConnectTimeoutError,
  ConnectionRefusedError,
  ConnectionResetError,
  EofError,
  HostKeyError,
  NodeNotFoundError,
  PasswordError,
} from './connect-errors.js';
import { RemoteError } from '../errors.js';
import { KILL_CHILD } from '../routing/handles.js';
import { type MethodPlan, firstStageArgv } from './methods.js';
import { redirectedArgv } from './first-stage.js';
import type { RouterCore } from '../calls/router-core.js';
import type { StartedContext } from './started-context.js';
import { type ConnectFailure, type StdioProcess, connectStdio, spawnStdio } from './stdio-connect.js';
import { type ConnectChildRequest, FAILURES, type SpawnChildRequest } from './via-child.js';
import type { Context } from '../calls/context.js';

/** The module a via context loads to start such children: the source here, the built file in dist. */
const VIA_CHILD = new URL(import.meta.url.endsWith('.ts') ? './via-child.ts' : './via-child.js', import.meta.url);

const CLASSES: Record<ConnectFailure, new (message: string, stderrTail: string) => Error> = {
  password: PasswordError,
  auth: AuthenticationError,
  'host-key': HostKeyError,
  refused: ConnectionRefusedError,
  reset: ConnectionResetError,
  timeout: ConnectTimeoutError,
  eof: EofError,
  'node-not-found': NodeNotFoundError,
};

/**
 * The methods whose command runs where /bin/sh exists, so that a shell gives the context its channel on fds
 * 3 and 4 (one Node process); a container may have no shell, so docker and kubectl start a supervisor.
 */
const REDIRECTED = new Set(['ssh', 'sudo', 'su']);

/**
 * Starts context `id` with `plan`'s command; resolves with its pid and how to kill it. Aborting `signal`
 * (the router closing) kills a command run here and rejects once it has exited; a start `via` another
 * context ends when the router's close fails the call that asked for it.
 */
export async function startOverStdio(router: RouterCore, core: Buffer, id: number, name: string, plan: MethodPlan, signal?: AbortSignal): Promise<StartedContext> {
  const argv = plan.argv(REDIRECTED.has(plan.method) ? redirectedArgv(plan.nodePath, name, core.length) : firstStageArgv(plan.nodePath, name, core.length));
  const { nodePath, where, connectTimeoutMs, rules, via } = plan;
  if (via === undefined) {
    const child = plan.terminal ? spawnWithTerminal(argv) : spawnStdio(argv, undefined);
    const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
    const { pid } = await connectStdio(router, core, child, { id, name, nodePath, where, connectTimeoutMs, rules, signal, makeError: (kind, message, tail) => new CLASSES[kind](message, tail) });
    return { pid, kill: child.kill, exited };
  }
  const request: ConnectChildRequest = { id, name, argv, nodePath, where, connectTimeoutMs, rules };
  return startThrough(router, via, id, 'connectChild', request);
}

/**
 * Starts context `id` as a child of `via`, by calling `exportName` of via-child.ts there (shipped on
 * the first such start): the one way a context starts a child. Kills it through `via`'s KILL_CHILD.
 */
export async function startThrough(router: RouterCore, via: Context, id: number, exportName: 'spawnChild' | 'connectChild', request: SpawnChildRequest | ConnectChildRequest): Promise<StartedContext> {
  let pid: number;
  try {
    ({ pid } = await via.call<{ pid: number }>(VIA_CHILD, exportName, request));
  } catch (error) {
    throw retype(error);
  }
  const kill = (): void => {
    try {
      router.send(via.id, KILL_CHILD, 0, id);
    } catch {
      // The via context is gone, and its child's channel with it.
    }
  };
  return { pid, kill };
}

/** A failure in the via context arrives as a RemoteError named after the typed class: make it that class again. */
function retype(error: unknown): unknown {
  if (!(error instanceof RemoteError)) return error;
  for (const [kind, [className]] of Object.entries(FAILURES) as [ConnectFailure, [string, string]][]) {
    if (error.remoteName === className) {
      const typed = new CLASSES[kind](`${error.message} (in context ${error.context})`, typeof error.cause === 'string' ? error.cause : '');
      return typed;
    }
  }
  return error;
}

/**
 * ssh with a password: stdin and stdout on a socketpair for the channel, stderr and the controlling
 * terminal on a pty, where ssh asks for the password (it reads passwords only from a terminal).
 */
function spawnWithTerminal(argv: readonly string[]): StdioProcess {
  let child: ReturnType<typeof hybridTtyCreateChild>;
  try {
    child = hybridTtyCreateChild(argv[0]!, argv.slice(1));
  } catch (error) {
    return failedToStart(error as Error);
  }
  const stdout = child.readable(1);
  const terminal = child.terminal!;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  return {
    pid: child.pid,
    stdout,
    stdin: child.writable(0),
    diagnostics: [child.readable(2)],
    answer: (text) => {
      terminal.output.send(text).catch(() => {});
    },
    kill: () => {
      if (exited) return;
      try {
        child.killGroup('SIGKILL');
      } catch {
        // Gone already.
      }
    },
    onExit: (listener) => {
      void child.exited.then(({ code, signal }) => {
        listener(code, signal);
        // The channels closed themselves at end of stream; this releases the pty and anything left.
        setTimeout(() => child.stdio.close(), 100);
      });
    },
  };
}

/** ssh itself could not be started: a process that never ran, reporting why. */
function failedToStart(error: Error): StdioProcess {
  const stdout = new PassThrough();
  const stdin = new PassThrough();
  return {
    pid: -1,
    stdout,
    stdin,
    diagnostics: [],
    answer: () => {},
    kill: () => {
      stdout.destroy();
      stdin.destroy();
    },
    onExit: (listener) => queueMicrotask(() => listener(null, null, error)),
  };
}
