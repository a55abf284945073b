import { liveChildren } from './children.js';
import { InvalidArgumentError } from './errors.js';
import type { ExitStatus } from './exit-result.js';
import { native } from './native.js';
import { signalIdentifier } from './signal.js';

/** Called once when a watched process exits: with how it ended when this process can know (its own children), else null. */
export type ExitCallback = (status: ExitStatus | null) => void;

/**
 * Calls back when processes exit, any process, not only children (mitogen's ProcessMonitor, without its
 * SIGCHLD handler): each pid is watched through a pidfd on the event loop, so nothing polls, no signal
 * handler is installed and no other child's status is taken. Children of `spawn` give their status
 * (and stay reaped by their `Subprocess`); other processes give null, their status being their
 * parent's to take.
 *
 * @example
 * import { ProcessMonitor, spawn } from '@x/process';
 * const monitor = new ProcessMonitor();
 * const child = spawn('sleep', ['1'], { stdio: 'ignore' });
 * monitor.add(child.pid, (status) => console.log('exited', status)); // { code: 0, signal: null }
 */
export class ProcessMonitor {
  readonly #watches = new Map<number, Set<() => void>>();
  #closed = false;

  /** How many pids are being watched. */
  get size(): number {
    return this.#watches.size;
  }

  /**
   * Watches `pid` and calls `callback` once when it exits. The watch keeps the event loop alive until
   * it fires or is stopped.
   *
   * @returns `stop()`, which cancels this watch (idempotent).
   * @throws `ESRCH` (syscall `pidfd_open`) when no such process exists (it already exited and was reaped).
   * @throws {MonitorClosedError} `ERR_X_PROCESS_MONITOR_CLOSED` after `close()`.
   * @throws `ERR_X_INVALID_ARG` for a pid below 1 or a callback that is not a function.
   */
  add(pid: number, callback: ExitCallback): () => void {
    if (!Number.isInteger(pid) || pid < 1) throw new InvalidArgumentError('pid', 'a process id (integer >= 1)', pid);
    if (typeof callback !== 'function') throw new InvalidArgumentError('callback', 'a function', callback);
    if (this.#closed) throw new MonitorClosedError();
    let stopped = false;
    let cancel: () => void;
    const child = liveChildren.get(pid);
    if (child) {
      // Only the Subprocess's own watch may reap it; share its outcome. A timer-free handle keeps
      // the loop alive just as the child's watch does.
      child.exited.then((result) => {
        if (stopped) return;
        stop();
        callback({ code: result.code, signal: result.signal });
      });
      cancel = () => {};
    } else {
      cancel = native().watchPid(pid, (status) => {
        stop();
        callback(status ? { code: status.code, signal: signalIdentifier(status.signal) } : null);
      });
    }
    const stop = () => {
      if (stopped) return;
      stopped = true;
      cancel();
      const set = this.#watches.get(pid);
      set?.delete(stop);
      if (set?.size === 0) this.#watches.delete(pid);
    };
    let set = this.#watches.get(pid);
    if (!set) this.#watches.set(pid, (set = new Set()));
    set.add(stop);
    return stop;
  }

  /** Stops every watch; later `add` calls throw. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const set of [...this.#watches.values()]) for (const stop of [...set]) stop();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** `add` on a closed ProcessMonitor. */
export class MonitorClosedError extends Error {
  readonly code = 'ERR_X_PROCESS_MONITOR_CLOSED';
  constructor() {
    super('This ProcessMonitor is closed: create a new one to watch more processes.');
  }
}
Object.defineProperty(MonitorClosedError.prototype, 'name', { value: 'MonitorClosedError' });
