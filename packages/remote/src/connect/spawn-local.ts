import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { ConnectTimeoutError, EofError, NodeNotFoundError } from './connect-errors.js';
import { firstStageArgv } from './first-stage.js';
import { readLines } from '../wire/lines.js';
import { SEND_CORE_MARKER } from '../wire/markers.js';
import type { RouterCore } from '../calls/router-core.js';
import { sendBootstrap } from './bootstrap.js';
import { echoesFirstStage, notNodeMessage, refuseVersion } from './node-version.js';
import type { StartedContext } from './started-context.js';

export interface SpawnLocalOptions {
  id: number;
  name: string;
  nodePath: string;
  env: NodeJS.ProcessEnv | undefined;
  cwd: string | undefined;
  connectTimeoutMs: number;
  /** Aborting it (the router closing) stops the start: the process is killed and the start rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

export interface SpawnedContext extends StartedContext {
  /** Settles once the context's process has exited (a stream can close before the process is gone). */
  exited: Promise<void>;
}

const TAIL_LINES = 20;
const MAX_LINE = 64 * 1024;

/**
 * Starts a context as a local child: `node --experimental-vm-modules -e <first stage> <name> <length>`
 * in a new session (its own process group, so everything it starts can be killed with it), the
 * compressed core on its stdin, the channel on fd 3 (a socketpair) and pipes on fds 1 and 2 whose
 * lines become log records. Resolves once the core reported ready. A start that fails (or is aborted) rejects only once the
 * process it started has exited, so nothing it started outlives it. The same code runs inside a
 * context for `via`.
 */
export function spawnLocal(router: RouterCore, core: Buffer, options: SpawnLocalOptions): Promise<SpawnedContext> {
  const { id, name, signal } = options;
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  const child = spawn(options.nodePath, firstStageArgv(options.nodePath, name, core.length).slice(1), {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
    env: options.env,
    cwd: options.cwd,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail: string[] = [];
  const kill = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  child.stdin!.on('error', () => {});
  child.stdin!.write(core);
  // What the program's first line said: the first stage's marker with a Node that runs the core, or a
  // marker or echo of the first stage that got it refused (`refuse` fails the start, once it exists).
  let announced: 'not yet' | 'usable' | 'refused' = 'not yet';
  let refuse: ((message: string) => void) | undefined;
  // Inside a context, these records travel up its channel: while it is backed up, the pipes are not
  // read, so a child flooding its fds 1 and 2 waits instead of having its lines dropped.
  readLines(child.stdout!, MAX_LINE, (line) => {
    const text = line.toString('utf8');
    const marker = text.startsWith(SEND_CORE_MARKER);
    if (announced === 'not yet' && (marker || echoesFirstStage(text))) {
      const refused = marker
        ? refuseVersion(options.nodePath, 'this host', text.slice(SEND_CORE_MARKER.length).trim())
        : notNodeMessage(options.nodePath, 'this host', 'it printed the first stage instead of running it');
      announced = refused === undefined ? 'usable' : 'refused';
      if (refused !== undefined) refuse?.(refused);
    }
    // The marker is for parents that have no fd 3 (stdio-connect.ts), and the echo of a program that is
    // not Node is its own first stage: neither is user output.
    if (marker || announced === 'refused') return undefined;
    router.emitLog({ contextId: id, stream: 'stdout', level: 'info', text }, false);
    return router.logsWait();
  });
  readLines(child.stderr!, MAX_LINE, (line) => {
    const text = line.toString('utf8');
    tail.push(text);
    if (tail.length > TAIL_LINES) tail.shift();
    router.emitLog({ contextId: id, stream: 'stderr', level: 'warn', text }, false);
    return router.logsWait();
  });
  const stream = router.attachStream(child.stdio[3] as Socket, id);

  return new Promise<SpawnedContext>((resolve, reject) => {
    let settled = false;
    let readyHandle: number | undefined;
    const onAbort = (): void => fail(signal!.reason as Error);
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (readyHandle !== undefined) router.removeHandler(readyHandle);
      kill();
      stream.close(error.message);
      // A process that never started has no exit to wait for; one that did is dead a moment after the SIGKILL.
      if (child.pid === undefined) reject(error);
      else void exited.then(() => reject(error));
    };
    refuse = (message) => fail(new NodeNotFoundError(message, tail.join('\n')));
    const timer = setTimeout(() => {
      fail(new ConnectTimeoutError(`Context ${name} did not start within ${options.connectTimeoutMs} ms; raise connectTimeoutMs or check ${options.nodePath}.`, tail.join('\n')));
    }, options.connectTimeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message = `Could not start ${options.nodePath} for context ${name}: ${error.message}. Pass nodePath: the absolute path of a node binary.`;
      const failure = error.code === 'ENOENT' || error.code === 'EACCES' ? new NodeNotFoundError(message, tail.join('\n')) : new EofError(message, tail.join('\n'));
      fail(Object.assign(failure, { cause: error }));
    });
    child.on('exit', (code, killedBy) => {
      // Whatever the context started dies with it, and its channel is gone even if a grandchild kept fd 3.
      kill();
      const how = killedBy === null ? `exited with status ${code}` : `was killed by ${killedBy}`;
      // Let the pipes drain first so the stderr tail names the cause.
      setImmediate(() => {
        // Node never exits 0 before its first stage has announced itself.
        if (announced === 'not yet' && code === 0) refuse!(notNodeMessage(options.nodePath, 'this host', 'it exited with status 0 without running the first stage'));
        fail(new EofError(`Context ${name} ${how} before it was ready.`, tail.join('\n')));
        stream.close(`the context ${how}`);
      });
    });
    try {
      readyHandle = sendBootstrap(router, id, name, {
        dead: fail,
        ready: () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ pid: child.pid!, kill, exited });
        },
      });
    } catch (error) {
      fail(new EofError(`Could not send the bootstrap to context ${name}: ${(error as Error).message}`, tail.join('\n')));
    }
  });
}
