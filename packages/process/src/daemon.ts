import { connectInput, type KInput } from '@x/kernel-io';
import { InvalidArgumentError, SpawnError } from './errors.js';
import { type Invocation, checkInvocation } from './invocation.js';
import { native } from './native.js';
import { resolveFile } from './resolve-file.js';

/** Options of {@link daemon}. */
export interface DaemonOptions {
  /**
   * Where the daemon's stderr goes: `'pipe'` (default: returned as a channel, to watch it start),
   * `'ignore'` (/dev/null), or an fd of this process (a log file).
   */
  stderr?: 'pipe' | 'ignore' | number;
}

/** A started daemon. */
export interface Daemon {
  /** The daemon's pid. It is not a child of this process: watch it with `ProcessMonitor`. */
  pid: number;
  /** Its stderr, when `stderr` was `'pipe'`; it ends when the daemon (and anything sharing it) closes it. */
  stderr: KInput | null;
}

/**
 * Starts `invocation` as a daemon: double fork and setsid in C, so it runs in a session of its own,
 * without a controlling terminal, re-parented away from this process (it survives it and is never this
 * process's zombie). Its stdin and stdout are /dev/null, its working directory `invocation.directory`,
 * its environment this process's plus `invocation.environ`.
 *
 * @throws {SpawnError} as `spawn` (the exec failure comes back here, the middle process reaped).
 * @throws `ERR_X_INVALID_ARG` for something other than an Invocation, or a bad `stderr`.
 * @example
 * import { daemon, Invocation } from '@x/process';
 * const { pid, stderr } = daemon(new Invocation('sleep', ['600']));
 * stderr?.terminate(); // not interested in its messages
 */
export function daemon(invocation: Invocation, options: DaemonOptions = {}): Daemon {
  checkInvocation(invocation);
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
  const { stderr = 'pipe' } = options;
  const validStderr = stderr === 'pipe' || stderr === 'ignore' || (Number.isInteger(stderr) && (stderr as number) >= 0);
  if (!validStderr) throw new InvalidArgumentError('options.stderr', "'pipe', 'ignore' or an fd", stderr);
  const env = { ...process.env, ...invocation.environ };
  const path = resolveFile(invocation.executable, invocation.args, env.PATH);
  const addon = native();
  const [readEnd, writeEnd] = stderr === 'pipe' ? addon.pipe() : [null, null];
  let pid: number;
  try {
    pid = addon.daemonize(path, [invocation.executable, ...invocation.args], env, {
      fdmap: [null, null, stderr === 'pipe' ? writeEnd : stderr === 'ignore' ? null : stderr],
      cwd: invocation.directory,
    });
  } catch (error) {
    if (readEnd !== null) addon.close(readEnd);
    if ((error as { syscall?: unknown }).syscall !== undefined) throw new SpawnError(invocation.executable, invocation.args, error as Error);
    throw error;
  } finally {
    if (writeEnd !== null) addon.close(writeEnd);
  }
  return { pid, stderr: readEnd === null ? null : connectInput(readEnd) };
}
