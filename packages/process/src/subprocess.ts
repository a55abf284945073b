import type { Readable, Writable } from 'node:stream';
import { toReadable, toWritable } from '@x/kernel-io';
import type { SignalSpec } from '@x/signals';
import { liveChildren } from './children.js';
import { InvalidArgumentError } from './errors.js';
import type { ExitResult } from './exit-result.js';
import { native } from './native.js';
import { type Signal, resolveSignal, signalIdentifier } from './signal.js';
import type { ChildStdio, Terminal } from './stdio-channels.js';

/** The termination settings of one child, checked by spawn. */
export interface Termination {
  timeout: number | undefined;
  abortSignal: AbortSignal | undefined;
  killSignal: Signal;
  forceKillAfterMs: number | undefined;
}

const sigkill: Signal = resolveSignal('SIGKILL', 'signal');

/**
 * A running child process started by `spawn`: its pid, its stdio as @x/kernel-io channels, and
 * `exited`, which settles once the child has been reaped (it never stays a zombie). Its exit is
 * watched through a pidfd, so nothing polls and no other child's status is taken.
 *
 * @example
 * import { spawn } from '@x/process';
 * const child = spawn('sort', [], { timeout: 10_000 });
 * await child.stdin.send('b\na\n');
 * await child.stdin.end();
 * for await (const chunk of child.stdout) process.stdout.write(chunk); // a, b
 * const { code, signal, timedOut } = await child.exited;
 */
export class Subprocess {
  /** The child's process id. */
  readonly pid: number;
  /** The child's process group (its own pid unless it joined another), or null when it shares this process's group. */
  readonly pgid: number | null;
  /** Resolves once the child has exited and been reaped; never rejects. */
  readonly exited: Promise<ExitResult>;
  /** The child's stdio channels, by child fd. */
  readonly stdio: ChildStdio;

  #result: ExitResult | null = null;
  #stopWatch: () => void;
  #timers: NodeJS.Timeout[] = [];
  #termination: Termination;
  #timedOut = false;
  #aborted = false;
  #forceKilled = false;
  #onAbort: (() => void) | undefined;

  /** @internal Made by spawn once the child exists. */
  constructor(pid: number, pgid: number | null, stdio: ChildStdio, termination: Termination) {
    this.pid = pid;
    this.pgid = pgid;
    this.stdio = stdio;
    this.#termination = termination;
    let settle!: (result: ExitResult) => void;
    this.exited = new Promise((resolve) => {
      settle = resolve;
    });
    liveChildren.set(pid, this);
    this.#stopWatch = native().watchPid(pid, (status) => {
      this.#result = {
        pid,
        code: status?.code ?? null,
        signal: signalIdentifier(status?.signal ?? null),
        timedOut: this.#timedOut,
        aborted: this.#aborted,
        forceKilled: this.#forceKilled,
      };
      this.#finish();
      settle(this.#result);
    });
    const { timeout, abortSignal } = termination;
    if (timeout !== undefined) {
      this.#timers.push(
        setTimeout(() => {
          this.#timedOut = true;
          this.#terminate();
        }, timeout),
      );
    }
    if (abortSignal) {
      if (abortSignal.aborted) {
        this.#aborted = true;
        this.#terminate();
      } else {
        this.#onAbort = () => {
          this.#aborted = true;
          this.#terminate();
        };
        abortSignal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
  }

  /** How the child ended, once it has; null while it runs. */
  get exitStatus(): ExitResult | null {
    return this.#result;
  }

  /** The channel writing to the child's stdin (fd 0), when it is a pipe, socketpair or pty. */
  get stdin() {
    return this.stdio.output(0);
  }

  /** The channel reading the child's stdout (fd 1), when it is a pipe, socketpair or pty. */
  get stdout() {
    return this.stdio.input(1);
  }

  /** The channel reading the child's stderr (fd 2); on a pty shared with stdout, the same channel. */
  get stderr() {
    return this.stdio.input(2);
  }

  /** The child's terminal (the pty master as an input and an output channel), when an fd is on a pty. */
  get terminal(): Terminal | null {
    return this.stdio.terminal;
  }

  /**
   * A Node Readable over the channel reading child fd `fd` (default 1), for code that wants streams;
   * it keeps the channel's back-pressure.
   *
   * @throws {NoChannelError} `ERR_X_PROCESS_NO_CHANNEL` when that fd is not read through a channel.
   */
  readable(fd = 1): Readable {
    const input = this.stdio.input(fd);
    if (!input) throw new NoChannelError(this.pid, fd, 'read');
    return toReadable(input);
  }

  /**
   * A Node Writable over the channel writing to child fd `fd` (default 0); ending it ends the channel.
   *
   * @throws {NoChannelError} `ERR_X_PROCESS_NO_CHANNEL` when that fd is not written through a channel.
   */
  writable(fd = 0): Writable {
    const output = this.stdio.output(fd);
    if (!output) throw new NoChannelError(this.pid, fd, 'write');
    return toWritable(output);
  }

  /**
   * Sends a signal to the child, unless it has already been reaped (then its pid may be another
   * process's: nothing is sent). With `forceKillAfterMs`, a child still alive that long after a signal
   * other than SIGKILL is sent SIGKILL.
   *
   * @param signal default `'SIGTERM'`; any form @x/signals accepts.
   * @returns whether the signal was sent.
   * @throws `ERR_X_INVALID_ARG` for an unknown signal.
   */
  kill(signal: SignalSpec = 'SIGTERM'): boolean {
    const resolved = resolveSignal(signal, 'signal');
    if (this.#result) return false;
    process.kill(this.pid, resolved.number);
    this.#scheduleForceKill(resolved);
    return true;
  }

  /**
   * Sends a signal to the child's whole process group: its children and their children too, unless
   * they moved to a group of their own. Works after the child itself has exited, while its group lives.
   *
   * @returns whether the group still had a member to signal.
   * @throws {@link NoProcessGroupError} `ERR_X_PROCESS_NO_GROUP` when the child shares this process's group.
   * @throws `ERR_X_INVALID_ARG` for an unknown signal.
   */
  killGroup(signal: SignalSpec = 'SIGTERM'): boolean {
    const resolved = resolveSignal(signal, 'signal');
    if (this.pgid === null) throw new NoProcessGroupError(this.pid);
    try {
      process.kill(-this.pgid, resolved.number);
    } catch (error) {
      if ((error as { code?: string }).code === 'ESRCH') return false;
      throw error;
    }
    return true;
  }

  /**
   * Sets the window size of the child's terminal; its foreground process group gets SIGWINCH.
   *
   * @param cols columns, in characters (1 to 65535).
   * @param rows rows, in characters (1 to 65535).
   * @throws {@link NoTerminalError} `ERR_X_PROCESS_NO_TERMINAL` when no fd of the child is on a pty.
   */
  resize(cols: number, rows: number): void {
    const master = this.stdio.ptyMaster;
    if (master === null) throw new NoTerminalError(this.pid);
    native().setWindowSize(master, cols, rows);
  }

  /** Kills the child (SIGKILL) unless it has exited, and waits until it is reaped; closes its channels. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
    this.stdio.close();
  }

  #terminate(): void {
    if (this.#result) return;
    process.kill(this.pid, this.#termination.killSignal.number);
    this.#scheduleForceKill(this.#termination.killSignal);
  }

  #scheduleForceKill(sent: Signal): void {
    const { forceKillAfterMs } = this.#termination;
    if (forceKillAfterMs === undefined || sent.number === sigkill.number) return;
    this.#timers.push(
      setTimeout(() => {
        if (this.#result) return;
        this.#forceKilled = true;
        process.kill(this.pid, sigkill.number);
      }, forceKillAfterMs),
    );
  }

  #finish(): void {
    liveChildren.delete(this.pid);
    this.#stopWatch();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
    if (this.#onAbort) this.#termination.abortSignal?.removeEventListener('abort', this.#onAbort);
    this.stdio.childExited();
  }
}

/** `killGroup` on a child that shares this process's group: signalling it would signal this process too. */
export class NoProcessGroupError extends Error {
  readonly code = 'ERR_X_PROCESS_NO_GROUP';
  constructor(pid: number) {
    super(
      `Child ${pid} is in this process's own process group, so killGroup would signal this process too. ` +
        'Spawn it with `pgid: 0` (the default) or `newSession: true` to give it a group of its own.',
    );
  }
}
Object.defineProperty(NoProcessGroupError.prototype, 'name', { value: 'NoProcessGroupError' });

/** `resize` on a child with no fd on a pty. */
export class NoTerminalError extends Error {
  readonly code = 'ERR_X_PROCESS_NO_TERMINAL';
  constructor(pid: number) {
    super(`Child ${pid} has no terminal to resize: spawn it with a 'pty' or 'hybrid' stdio.`);
  }
}
Object.defineProperty(NoTerminalError.prototype, 'name', { value: 'NoTerminalError' });

/** Checks a duration option in milliseconds. */
export function checkMs(value: unknown, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(argument, 'a non-negative number of milliseconds', value);
  }
  return value;
}

/** `readable(fd)`/`writable(fd)` for a child fd that has no channel that way. */
export class NoChannelError extends Error {
  readonly code = 'ERR_X_PROCESS_NO_CHANNEL';
  constructor(pid: number, fd: number, way: 'read' | 'write') {
    super(`Child ${pid}'s fd ${fd} cannot be ${way === 'read' ? 'read' : 'written'} here: give it 'pipe', 'socketpair' or 'pty' in the stdio option.`);
  }
}
Object.defineProperty(NoChannelError.prototype, 'name', { value: 'NoChannelError' });
