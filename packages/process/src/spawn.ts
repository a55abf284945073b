import type { SignalSpec } from '@x/signals';
import { InvalidArgumentError, SpawnError } from './errors.js';
import { native } from './native.js';
import { resolveFile } from './resolve-file.js';
import { resolveSignal } from './signal.js';
import { ChildStdio } from './stdio-channels.js';
import { type PtySize, type StdioOption, closeChildEnds, closePlan, openStdio, stdioModes } from './stdio-plan.js';
import { Subprocess, checkMs } from './subprocess.js';

/** Options of {@link spawn}. Durations are in milliseconds. */
export interface SpawnOptions {
  /**
   * How the child's fds are set up: `'pipe'` (default for 0 to 2), `'socketpair'`, `'pty'`, `'inherit'`,
   * `'ignore'` (/dev/null), or an fd of this process to give it; one mode for fds 0 to 2, an array of
   * modes (one per child fd, fds past 2 included), or `'hybrid'` (stdin and stdout on a socketpair,
   * stderr and the controlling terminal on a pty). Every fd on `'pty'` shares one pty, which becomes
   * the child's controlling terminal (the child starts a new session).
   */
  stdio?: StdioOption;
  /** The window size of the pty, in characters (default 80 x 24). */
  pty?: PtySize;
  /** The child's whole environment (default: `process.env`). Undefined values are left out. */
  env?: Record<string, string | undefined>;
  /** The child's working directory (default: this process's). */
  cwd?: string;
  /** argv[0] as the child sees it (default: `file`). */
  argv0?: string;
  /** Start the child in a new session (setsid): no controlling terminal, a group of its own. Default false (true with a pty). */
  newSession?: boolean;
  /**
   * The process group the child joins: `0` (the default) for a group of its own, so `killGroup` reaches
   * its descendants; the id of an existing group; or `null` to stay in this process's group (so a
   * terminal's Ctrl+C reaches it, as with child_process). A child in a group of its own that reads an
   * inherited terminal is stopped by SIGTTIN: use `null`, or `systemExecute`, for interactive programs.
   */
  pgid?: number | null;
  /** Send `killSignal` after this many milliseconds. */
  timeout?: number;
  /** Send `killSignal` when this aborts (at once when it already has). */
  signal?: AbortSignal;
  /** The signal `timeout` and `signal` send (default `'SIGTERM'`). */
  killSignal?: SignalSpec;
  /** Send SIGKILL when the child outlives a `killSignal` (or a `kill()`) by this many milliseconds. */
  forceKillAfterMs?: number;
}

/**
 * Starts a program as a child process. The child is made and exec'd in C (@x/native's vspawn: no copy
 * of this process's page tables, unlike fork), so a program that cannot
 * be started is a `SpawnError` thrown here with its errno and path (`code: 'ENOENT'`), never a child
 * that exits 127. Every child is reaped as soon as it exits (a pidfd on the event loop): no zombies.
 *
 * @param file a path, or a name searched in the `PATH` of the child's environment.
 * @param args the arguments, without argv[0].
 * @throws {SpawnError} `ENOENT`, `EACCES`, `ENOEXEC` (syscall `execve`, `path`); `ENOENT`/`ENOTDIR`
 *   (syscall `chdir`, `path` = cwd); `EPERM` (syscall `setsid`/`setpgid`); `EAGAIN` (syscall `fork`).
 * @throws `ERR_X_INVALID_ARG` for a bad argument or option (the message names it).
 * @example
 * import { spawn } from '@x/process';
 * const child = spawn('ls', ['-l', '/'], { timeout: 5000 });
 * for await (const chunk of child.stdout) process.stdout.write(chunk);
 * const { code, signal } = await child.exited;
 */
export function spawn(file: string, args: readonly string[] = [], options: SpawnOptions = {}): Subprocess {
  if (typeof file !== 'string' || file === '') throw new InvalidArgumentError('file', 'a non-empty string', file);
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) {
    throw new InvalidArgumentError('args', 'an array of strings', args);
  }
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
  const modes = stdioModes(options.stdio);
  const usesPty = modes.includes('pty');
  const env = options.env ?? process.env;
  if (typeof env !== 'object' || env === null) throw new InvalidArgumentError('options.env', 'an object of strings', env);
  const { cwd, argv0 = file, newSession = usesPty, pgid = 0 } = options;
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) throw new InvalidArgumentError('options.cwd', 'a non-empty path string', cwd);
  if (typeof argv0 !== 'string') throw new InvalidArgumentError('options.argv0', 'a string', argv0);
  if (typeof newSession !== 'boolean') throw new InvalidArgumentError('options.newSession', 'a boolean', newSession);
  if (usesPty && !newSession) throw new InvalidArgumentError('options.newSession', "true (or absent) with a 'pty' stdio: a terminal needs its own session", newSession);
  if (pgid !== null && (!Number.isInteger(pgid) || pgid < 0)) throw new InvalidArgumentError('options.pgid', 'an integer >= 0 or null', pgid);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('options.signal', 'an AbortSignal', options.signal);
  }
  const termination = {
    timeout: checkMs(options.timeout, 'options.timeout'),
    abortSignal: options.signal,
    killSignal: resolveSignal(options.killSignal ?? 'SIGTERM', 'options.killSignal'),
    forceKillAfterMs: checkMs(options.forceKillAfterMs, 'options.forceKillAfterMs'),
  };
  const path = resolveFile(file, args, env.PATH);

  const plan = openStdio(modes, options.pty);
  let pid: number;
  try {
    // vspawn: clone(CLONE_VM | CLONE_VFORK), so the cost of a child does not grow with this process's memory.
    pid = native().vspawn(path, [argv0, ...args], env, {
      fdmap: plan.fdmap,
      ...(cwd === undefined ? {} : { cwd }),
      ...(newSession ? { setsid: true } : pgid === null ? {} : { pgid }),
      ...(plan.controllingTty === undefined ? {} : { controllingTty: plan.controllingTty }),
    });
  } catch (error) {
    closePlan(plan);
    if (typeof (error as { syscall?: unknown }).syscall === 'string') throw new SpawnError(file, args, error as Error);
    throw error;
  }
  // The child has its copies: ours would keep pipes open (no EOF) and the pty slave alive (no EIO).
  closeChildEnds(plan);
  const group = newSession || pgid === 0 ? pid : pgid;
  let stdio: ChildStdio;
  try {
    stdio = new ChildStdio(plan);
  } catch (error) {
    // No Subprocess will own the child: end it and reap it here, so it never stays a zombie.
    process.kill(pid, 'SIGKILL');
    const stop = native().watchPid(pid, () => stop());
    throw error;
  }
  return new Subprocess(pid, group, stdio, termination);
}

/** Options of the named shapes: those of {@link spawn} but `stdio`. */
export type ChildOptions = Omit<SpawnOptions, 'stdio'>;

/**
 * Starts a child with stdin and stdout on a socketpair and stderr on a pipe (mitogen's create_child):
 * the shape for talking to a program over one bidirectional stream.
 *
 * @throws as {@link spawn}.
 * @example
 * import { createChild } from '@x/process';
 * const child = createChild('cat');
 */
export function createChild(file: string, args: readonly string[] = [], options: ChildOptions = {}): Subprocess {
  return spawn(file, args, { ...options, stdio: ['socketpair', 'socketpair', 'pipe'] });
}

/**
 * Starts a child whose stdin, stdout and stderr are one pty, its controlling terminal (mitogen's
 * tty_create_child): for programs that insist on a terminal (su, passwd, an interactive shell).
 *
 * @throws as {@link spawn}.
 * @example
 * import { ttyCreateChild } from '@x/process';
 * const child = ttyCreateChild('sh', ['-c', 'tty'], { pty: { cols: 120, rows: 40 } });
 */
export function ttyCreateChild(file: string, args: readonly string[] = [], options: ChildOptions = {}): Subprocess {
  return spawn(file, args, { ...options, stdio: 'pty' });
}

/**
 * Starts a child with stdin and stdout on a socketpair, for bulk data, and stderr plus the controlling
 * terminal on a pty, for prompts (mitogen's hybrid_tty_create_child): sudo and ssh ask for passwords on
 * the terminal while the data flows over the socket.
 *
 * @throws as {@link spawn}.
 * @example
 * import { hybridTtyCreateChild } from '@x/process';
 * const child = hybridTtyCreateChild('sudo', ['-S', 'true']);
 */
export function hybridTtyCreateChild(file: string, args: readonly string[] = [], options: ChildOptions = {}): Subprocess {
  return spawn(file, args, { ...options, stdio: 'hybrid' });
}
