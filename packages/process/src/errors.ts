import { InvalidArgumentError } from '@x/signals';

export { InvalidArgumentError };

/** The facts of a failed system call, as @x/native and Node give them. */
interface SystemErrorFacts {
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

/**
 * A program could not be started: the executable is missing or not executable, the working directory
 * does not exist, a session or group could not be set up. Shaped like Node's own system errors
 * (`code` is the errno's name, e.g. `'ENOENT'`), so `error.code === 'ENOENT'` works as with
 * `child_process`, but thrown by `spawn` itself (synchronously: the exec has already failed when it
 * would return) instead of surfacing as a child that exits 127.
 *
 * @example
 * import { spawn, SpawnError } from '@x/process';
 * try {
 *   spawn('no-such-program');
 * } catch (error) {
 *   if (error instanceof SpawnError && error.code === 'ENOENT') console.error(`install ${error.path} first`);
 * }
 */
export class SpawnError extends Error {
  /** The errno's name: `'ENOENT'`, `'EACCES'`, `'ENOTDIR'`… */
  readonly code: string;
  /** The negative errno. */
  readonly errno: number | undefined;
  /** The step that failed: `'execve'`, `'chdir'`, `'setsid'`, `'fork'`… */
  readonly syscall: string | undefined;
  /** The executable (for `execve`) or the working directory (for `chdir`). */
  readonly path: string | undefined;
  /** The file that was asked for, before any PATH search. */
  readonly file: string;
  /** The arguments it was to run with (without argv[0]). */
  readonly args: readonly string[];

  constructor(file: string, args: readonly string[], cause: SystemErrorFacts & Error) {
    const path = cause.path;
    super(`${spawnMessage(file, cause)}`, { cause });
    this.code = cause.code ?? 'UNKNOWN';
    this.errno = cause.errno;
    this.syscall = cause.syscall;
    this.path = path;
    this.file = file;
    this.args = args;
  }
}
Object.defineProperty(SpawnError.prototype, 'name', { value: 'SpawnError' });

function spawnMessage(file: string, cause: SystemErrorFacts & Error): string {
  const base = `Could not start ${JSON.stringify(file)}: ${cause.message}`;
  if (cause.syscall === 'execve' && cause.code === 'ENOENT') {
    return `${base}. No executable at ${JSON.stringify(cause.path ?? file)}: check the name, install the program, or pass its absolute path.`;
  }
  if (cause.syscall === 'execve' && cause.code === 'EACCES') return `${base}. Make the file executable (chmod +x) or run it through its interpreter.`;
  if (cause.syscall === 'chdir') return `${base}. The working directory \`cwd\` must exist and be a directory.`;
  return `${base}.`;
}

/**
 * A child process (a `concurrently` call) ended before it answered: killed by a signal, or it exited.
 * `signal` names the signal (`'SIGKILL'`), or `exitCode` the status.
 *
 * @example
 * import { ChildDiedError, concurrently } from '@x/process';
 * await concurrently(url, 'hugeJob').catch((error) => {
 *   if (error instanceof ChildDiedError && error.signal === 'SIGKILL') console.error('out of memory?');
 * });
 */
export class ChildDiedError extends Error {
  readonly code = 'ERR_X_PROCESS_CHILD_DIED';
  readonly pid: number;
  /** The signal that killed the child, e.g. `'SIGKILL'`, or null when it exited. */
  readonly signal: NodeJS.Signals | null;
  /** The child's exit status when it exited without answering, or null after a signal. */
  readonly exitCode: number | null;

  constructor(what: string, pid: number, exitCode: number | null, signal: NodeJS.Signals | null) {
    super(
      signal
        ? `${what} (pid ${pid}) was killed by ${signal} before it returned a result.`
        : `${what} (pid ${pid}) exited with status ${exitCode} before it returned a result (did the function call process.exit?).`,
    );
    this.pid = pid;
    this.signal = signal;
    this.exitCode = exitCode;
  }
}
Object.defineProperty(ChildDiedError.prototype, 'name', { value: 'ChildDiedError' });

/**
 * `control(main)` ended the process because main's promise was still pending when the event loop had
 * nothing left to run (no timer, socket, child process or other handle): main awaits something that can
 * never happen, such as a promise no code will resolve. Printed, given to the `onExit` handlers as
 * `{error}`, and the process exits with `exitStatus.unsettled` (13), as Node does for an unsettled
 * top-level await.
 */
export class MainUnsettledError extends Error {
  readonly code = 'ERR_X_PROCESS_MAIN_UNSETTLED';

  constructor() {
    super(
      'main() never settled, and the event loop emptied: no timer, socket, child process or other handle is left that ' +
        'could settle it. Find the await that waits for something nothing will do (a promise nobody resolves, an event ' +
        'that already fired). The process exits with status 13 (exitStatus.unsettled).',
    );
  }
}
Object.defineProperty(MainUnsettledError.prototype, 'name', { value: 'MainUnsettledError' });
