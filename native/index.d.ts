/**
 * @x/native: the native addon behind x, for what Node itself cannot do.
 *
 * Every function throws errors shaped like Node's own (`code` such as `'EINVAL'`, a negative `errno`,
 * `syscall`, and `path` where there is one; names and messages are libuv's, as in Node); an argument
 * of the wrong type or range throws a `TypeError` with `code: 'ERR_X_INVALID_ARG'` whose message names
 * the argument, what was expected and what was given. Nothing else crosses the boundary: a failure
 * inside the addon is thrown as an Error with `code: 'ERR_X_NATIVE_INTERNAL'` (a bug: please report
 * it), never a crash; one in a watch's callback goes to `'uncaughtException'`. Every fd this addon
 * creates is close-on-exec.
 *
 * @example
 * const native = require('@x/native');
 * const [left, right] = native.socketpair('stream');
 * native.close(left);
 * native.close(right);
 */

/** An error from a failed system call, shaped like Node's own. */
export interface NativeSystemError extends Error {
  /** The errno's name: `'EBADF'`, `'ENOENT'`… */
  code: string;
  /** The negative errno, as in Node's own errors (-9 for EBADF). */
  errno: number;
  /** The call that failed: `'sendmsg'`, `'execve'`, `'mmap'`… */
  syscall: string;
  /** The path involved, when there is one (`execve`, `chdir`). */
  path?: string;
}

// ---------------------------------------------------------------- fd

/** The kind of a Unix socket pair: SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET. */
export type SocketType = 'stream' | 'dgram' | 'seqpacket';

/** What an fd refers to, from fstat(2) (and isatty(3) for character devices). */
export type FdType = 'file' | 'directory' | 'pipe' | 'socket' | 'tty' | 'character' | 'block' | 'symlink' | 'unknown';

/**
 * Creates a connected pair of AF_UNIX sockets (blocking, close-on-exec), e.g. to pass fds with
 * {@link sendFds}, or as a child's stdio.
 *
 * @param type `'stream'` (the default), `'dgram'` or `'seqpacket'`.
 * @returns the two ends.
 * @throws `EMFILE`/`ENFILE` (syscall `socketpair`) when out of fds.
 * @throws `ERR_X_INVALID_ARG` for another type.
 * @example
 * const [left, right] = require('@x/native').socketpair('seqpacket');
 */
export declare function socketpair(type?: SocketType): [number, number];

/**
 * Creates a pipe (blocking, close-on-exec) as raw fds, for a child's stdio or {@link watchFd}.
 *
 * @returns `[readEnd, writeEnd]`.
 * @throws `EMFILE`/`ENFILE` (syscall `pipe`).
 * @example
 * const [readEnd, writeEnd] = require('@x/native').pipe();
 */
export declare function pipe(): [number, number];

/**
 * Sends bytes with fds attached over a Unix socket (SCM_RIGHTS): the receiver gets its own fds for the
 * same open files. The caller keeps its fds (close them when done). Absent or empty `data` is sent as
 * one NUL byte, since a stream socket drops fds that come with no byte.
 *
 * @param sock a connected AF_UNIX socket.
 * @param fds at most 253 fds to pass.
 * @param data the bytes that carry the fds (a string is sent as UTF-8).
 * @returns the number of bytes sent, or `null` when a non-blocking socket is full (EAGAIN: nothing
 *   was sent, retry when {@link watchFd} says writable).
 * @throws `EPIPE` (syscall `sendmsg`) when the peer is closed (no SIGPIPE is raised); `ENOTSOCK`,
 *   `EBADF` for a bad fd in `sock` or `fds`; `EINVAL` for more than 253 fds.
 * @throws `ERR_X_INVALID_ARG` for a non-fd or non-array argument.
 * @example
 * const native = require('@x/native');
 * const [left, right] = native.socketpair();
 * native.sendFds(left, [0], 'stdin');
 */
export declare function sendFds(sock: number, fds: number[], data?: string | Uint8Array): number | null;

/** What {@link recvFds} received. */
export interface ReceivedFds {
  /** The bytes received (empty at end of stream). */
  data: Buffer;
  /** The fds received, close-on-exec (MSG_CMSG_CLOEXEC); the caller owns them. */
  fds: number[];
  /** More fds (or, on a datagram socket, more bytes) came than `max`/`maxBytes` allowed; the rest were closed. */
  truncated: boolean;
}

/**
 * Receives bytes and the fds attached to them (SCM_RIGHTS) from a Unix socket.
 *
 * @param sock an AF_UNIX socket.
 * @param max the most fds to accept (0 to 253); fds beyond it are closed.
 * @param maxBytes the most bytes to read (default 65536).
 * @returns what arrived, or `null` when a non-blocking socket has nothing (EAGAIN).
 * @throws `ENOTSOCK`, `EBADF` (syscall `recvmsg`); `ECONNRESET` when the peer reset.
 * @throws `ERR_X_INVALID_ARG` for a bad `sock`, `max` or `maxBytes`.
 * @example
 * const native = require('@x/native');
 * const [left, right] = native.socketpair();
 * native.sendFds(left, [1]);
 * const { fds } = native.recvFds(right, 1);
 */
export declare function recvFds(sock: number, max: number, maxBytes?: number): ReceivedFds | null;

/**
 * Sets or clears FD_CLOEXEC: whether the fd is closed when this process (or a child forked from it)
 * execs. Clear it to hand an fd to a program across exec.
 *
 * @param on `true` (default) to set, `false` to clear.
 * @throws `EBADF` (syscall `fcntl`).
 * @example
 * require('@x/native').setCloexec(3, false);
 */
export declare function setCloexec(fd: number, on?: boolean): void;

/**
 * Sets or clears O_NONBLOCK on the open file description (shared by every fd duplicated from it).
 *
 * @param on `true` (default) to set, `false` to clear.
 * @throws `EBADF` (syscall `fcntl`).
 * @example
 * const native = require('@x/native');
 * const [readEnd] = native.pipe();
 * native.setNonblocking(readEnd);
 */
export declare function setNonblocking(fd: number, on?: boolean): void;

/**
 * Shuts down one or both directions of a socket: the peer reads end-of-stream after `'w'`.
 *
 * @param how `'r'` (SHUT_RD), `'w'` (SHUT_WR) or `'rw'` (SHUT_RDWR).
 * @throws `ENOTSOCK` for a pipe or file, `ENOTCONN`, `EBADF` (syscall `shutdown`).
 * @example
 * const native = require('@x/native');
 * const [left, right] = native.socketpair();
 * native.shutdown(left, 'w');
 */
export declare function shutdown(fd: number, how: 'r' | 'w' | 'rw'): void;

/**
 * Closes an fd. An EINTR from close(2) counts as success (on Linux the fd is gone either way).
 *
 * @throws `EBADF` (syscall `close`) for an fd that is not open; `EIO` when a deferred write failed.
 * @throws `EBUSY` (syscall `close`) for an fd a {@link watchFd} or {@link watchPid} watch polls, on any
 *   thread: call the watch's stop function first (libuv aborts the process when a polled fd is closed).
 * @example
 * const native = require('@x/native');
 * const [readEnd, writeEnd] = native.pipe();
 * native.close(readEnd);
 * native.close(writeEnd);
 */
export declare function close(fd: number): void;

/**
 * Says what an fd refers to.
 *
 * @throws `EBADF` (syscall `fstat`).
 * @example
 * require('@x/native').fdType(0); // 'tty' in a terminal, 'pipe' under a pipeline
 */
export declare function fdType(fd: number): FdType;

// ---------------------------------------------------------------- mmap

/**
 * Maps part of a file (or anonymous memory) into memory and returns it as an ArrayBuffer whose bytes
 * are the mapping: no copy is made. The mapping is unmapped when the ArrayBuffer is garbage-collected;
 * the fd may be closed at once. Any `offset` works (the page alignment mmap needs is handled here).
 *
 * A range past the end of a regular file is refused with `EINVAL`: touching it would raise SIGBUS. A
 * file truncated by someone else *after* mapping still raises SIGBUS on access (as in C).
 *
 * @param fd an open fd, or -1 for anonymous memory (zero-filled).
 * @param offset where the mapping starts in the file, in bytes.
 * @param length how many bytes to map (more than 0).
 * @param prot `'r'` (read-only) or `'rw'` (needs an fd opened for writing when `shared`).
 * @param shared `true` (default): writes reach the file and other mappings (MAP_SHARED); `false`:
 *   copy-on-write (MAP_PRIVATE).
 * @throws `EINVAL` (syscall `mmap`) for a zero length or a range past the end of the file; `EACCES`
 *   when `prot` asks more than the fd allows; `EBADF`, `ENODEV` (a pipe or socket); `ENOMEM`.
 * @throws `ERR_X_INVALID_ARG` for a negative or fractional offset or length, another `prot`.
 * @example
 * const fs = require('node:fs');
 * const native = require('@x/native');
 * const fd = fs.openSync('/etc/hostname', 'r');
 * const bytes = new Uint8Array(native.mmap(fd, 0, fs.fstatSync(fd).size, 'r'));
 * fs.closeSync(fd);
 */
export declare function mmap(fd: number, offset: number, length: number, prot: 'r' | 'rw', shared?: boolean): ArrayBuffer;

/**
 * Flushes a shared mapping's changes to its file (msync(2)).
 *
 * @param buffer an ArrayBuffer returned by {@link mmap}.
 * @param async `true` schedules the write-back and returns (MS_ASYNC); `false` (default) waits for it.
 * @throws `ENOMEM`, `EIO` (syscall `msync`).
 * @throws `ERR_X_INVALID_ARG` for any other buffer.
 * @example
 * const native = require('@x/native');
 * const memory = native.mmap(-1, 0, 4096, 'rw');
 * native.msync(memory);
 */
export declare function msync(buffer: ArrayBuffer, async?: boolean): void;

/**
 * An access-pattern hint for {@link madvise}. `'dontneed'` drops the pages: a private mapping reads
 * back as the file (or zeros). `'populate'` (MADV_POPULATE_READ, Linux 5.14+) maps every page now, in
 * one call, instead of one page fault per few pages on first touch (EINVAL on older kernels).
 */
export type MemoryAdvice = 'normal' | 'random' | 'sequential' | 'willneed' | 'dontneed' | 'populate';

/**
 * Tells the kernel how a mapping will be used (madvise(2)), e.g. `'sequential'` for a one-pass read.
 *
 * @param buffer an ArrayBuffer returned by {@link mmap}.
 * @throws `EINVAL`, `ENOMEM` (syscall `madvise`).
 * @throws `ERR_X_INVALID_ARG` for any other buffer or advice.
 * @example
 * const native = require('@x/native');
 * native.madvise(native.mmap(-1, 0, 4096, 'rw'), 'willneed');
 */
export declare function madvise(buffer: ArrayBuffer, advice: MemoryAdvice): void;

// ---------------------------------------------------------------- pty

/** A new pseudo-terminal from {@link openpty}. */
export interface Pty {
  /** The side this process reads the terminal's output from and writes its input to. */
  master: number;
  /** The terminal side, for a child's stdio; close it here once the child has it. */
  slave: number;
  /** The slave's path, e.g. `/dev/pts/3`. */
  name: string;
}

/**
 * Opens a pseudo-terminal (posix_openpt, grantpt, unlockpt), both fds close-on-exec and neither this
 * process's controlling terminal.
 *
 * @param options `cols` and `rows`: the window size in characters (default 80 x 24, from 1 to 65535).
 * @throws `ENOENT`/`EAGAIN` (syscall `posix_openpt`) when no pty is available.
 * @throws `ERR_X_INVALID_ARG` for a size out of range.
 * @example
 * const native = require('@x/native');
 * const { master, slave, name } = native.openpty({ cols: 120, rows: 40 });
 */
export declare function openpty(options?: { cols?: number; rows?: number }): Pty;

/**
 * Sets a terminal's window size (TIOCSWINSZ); its foreground process group gets SIGWINCH.
 *
 * @param fd either side of a pty (or any terminal).
 * @param cols columns, in characters (1 to 65535).
 * @param rows rows, in characters (1 to 65535).
 * @throws `ENOTTY` (syscall `ioctl`) for an fd that is not a terminal.
 * @example
 * const native = require('@x/native');
 * const { master } = native.openpty();
 * native.setWindowSize(master, 132, 50);
 */
export declare function setWindowSize(fd: number, cols: number, rows: number): void;

/**
 * The foreground process group of a terminal (the one that gets its keyboard signals).
 *
 * @throws `ENOTTY` (syscall `tcgetpgrp`) for an fd that is not this process's controlling terminal or
 *   a pty master.
 * @example
 * require('@x/native').tcgetpgrp(0);
 */
export declare function tcgetpgrp(fd: number): number;

/**
 * Makes a process group the terminal's foreground group (a shell's `fg`). SIGTTOU is held back during
 * the call, so a caller in a background group is not stopped by it.
 *
 * @param pgid a process group in the terminal's session.
 * @throws `ENOTTY`, `EPERM` (another session) (syscall `tcsetpgrp`).
 * @example
 * const native = require('@x/native');
 * native.tcsetpgrp(0, process.pid);
 */
export declare function tcsetpgrp(fd: number, pgid: number): void;

// ---------------------------------------------------------------- process

/** An environment for a new program: names to values (undefined values are left out). */
export type Environment = Record<string, string | undefined>;

/** How a child's fds, session and directory are set up by {@link spawn}. */
export interface SpawnOptions {
  /**
   * The child's fds: child fd `i` is a copy of this process's fd `fdmap[i]`, or `/dev/null` for
   * `null`. No other fd crosses exec (on Linux 5.11+; on older kernels, only close-on-exec fds are kept
   * out). Default `[0, 1, 2]` (inherit stdio).
   */
  fdmap?: Array<number | null>;
  /** The child's working directory (default: this process's). */
  cwd?: string;
  /** Start a new session (and process group) with setsid(2). Default `false`. */
  setsid?: boolean;
  /** Join process group `pgid`, or `0` for a group of its own (setpgid(2)). Default: this process's group. */
  pgid?: number;
  /** A child fd (an index of `fdmap`) whose terminal becomes the child's controlling terminal (TIOCSCTTY); needs `setsid: true`. */
  controllingTty?: number;
}

/**
 * Starts a program as a child of this process with fork and exec done in C: the child only sets up
 * its signals (default dispositions, empty mask), session, group, fds and directory, then execs. A
 * failure of any step, exec included, is thrown here with its errno; it never becomes a child that
 * exits with 127. Wait for the child with {@link waitpid} or {@link watchPid}.
 *
 * @param path the program's path (no PATH search).
 * @param argv its arguments, `argv[0]` first.
 * @param env its environment (default: this process's).
 * @returns the child's pid.
 * @throws `ENOENT`/`EACCES`/`ENOEXEC` (syscall `execve`, `path`); `ENOENT`/`ENOTDIR` (syscall
 *   `chdir`, `path` = cwd); `EPERM` (syscall `setsid`/`setpgid`/`ioctl`); `EBADF` (syscall `dup2`) for
 *   a bad fd in `fdmap`; `EAGAIN` (syscall `fork`).
 * @throws `ERR_X_INVALID_ARG` for an empty path or argv, a bad option, `controllingTty` without `setsid`.
 * @example
 * const native = require('@x/native');
 * const pid = native.spawn('/bin/echo', ['echo', 'hello']);
 * native.waitpid(pid); // { pid, code: 0, signal: null, … }
 */
export declare function spawn(path: string, argv: string[], env?: Environment, options?: SpawnOptions): number;

/**
 * {@link spawn} without copying this process's page tables: the child is made with
 * clone(CLONE_VM | CLONE_VFORK) on a small stack of its own (as glibc's posix_spawn does) and this
 * thread is suspended until it has exec'd or failed. It then does exactly what a child of `spawn`
 * does (signals, session, group, fds, controlling terminal, directory, exec), with the same errors.
 * fork() copies the page tables of the whole process, which for a Node process of a few hundred MB
 * costs milliseconds per child: this call stays at a fraction of a millisecond at any size.
 *
 * @returns the child's pid, waited for with {@link waitpid} or {@link watchPid}.
 * @throws as {@link spawn}; `clone` (syscall) instead of `fork` when the child cannot be made.
 * @throws `ERR_X_INVALID_ARG` as {@link spawn}.
 * @example
 * const native = require('@x/native');
 * const pid = native.vspawn('/bin/echo', ['echo', 'hello']);
 * native.waitpid(pid); // { pid, code: 0, signal: null, … }
 */
export declare function vspawn(path: string, argv: string[], env?: Environment, options?: SpawnOptions): number;

/** How the daemon's fds and directory are set up by {@link daemonize}. */
export interface DaemonizeOptions {
  /** As in {@link SpawnOptions.fdmap}; default `[null, null, null]` (stdio on /dev/null). */
  fdmap?: Array<number | null>;
  /** The daemon's working directory; default `/`, so it holds no mount busy. */
  cwd?: string;
}

/**
 * Starts a program as a daemon: fork, setsid, fork again, exec. The daemon runs in a session of its
 * own, is not a child of this process (it outlives it, and this process never reaps it) and, not being
 * a session leader, never acquires a controlling terminal. The middle process is reaped here.
 *
 * @returns the daemon's pid, once it has exec'd.
 * @throws as {@link spawn} does for a failed exec or chdir; `EPERM` (syscall `setsid`).
 * @example
 * const native = require('@x/native');
 * const pid = native.daemonize('/bin/sleep', ['sleep', '60']);
 */
export declare function daemonize(path: string, argv: string[], env?: Environment, options?: DaemonizeOptions): number;

/** How a process ended. */
export interface ExitStatus {
  /** The exit code, when it exited; otherwise `null`. */
  code: number | null;
  /** The number of the signal that ended it (or stopped it, for `waitpid`), otherwise `null`. */
  signal: number | null;
  /** It dumped core. */
  coreDumped: boolean;
}

/** A child's change of state, from {@link waitpid}. */
export interface WaitResult extends ExitStatus {
  pid: number;
  /** It was stopped (`signal` says by which signal); only with `constants.WUNTRACED`. */
  stopped: boolean;
  /** It was continued; only with `constants.WCONTINUED`. */
  continued: boolean;
}

/** Flags for {@link waitpid}. */
export declare const constants: {
  /** Return `null` at once when the child has not changed state. */
  readonly WNOHANG: number;
  /** Report stopped children too. */
  readonly WUNTRACED: number;
  /** Report continued children too. */
  readonly WCONTINUED: number;
};

/**
 * Waits for a child started by {@link spawn} (waitpid(2)). Never waits for other pids: libuv reaps the
 * children of `child_process` by pid, and taking one of their statuses would make their `'exit'` event
 * never fire. Without `constants.WNOHANG` this blocks the thread until the child changes state.
 *
 * @param flags `0` (default) or a combination of `constants.WNOHANG`, `WUNTRACED`, `WCONTINUED`.
 * @returns the new state, or `null` with WNOHANG when nothing changed.
 * @throws `ECHILD` (syscall `waitpid`) for a pid this addon did not spawn or already reaped.
 * @throws `ERR_X_INVALID_ARG` for a pid below 1 (never `waitpid(-1)`) or unknown flags.
 * @example
 * const native = require('@x/native');
 * const pid = native.spawn('/bin/true', ['true']);
 * native.waitpid(pid, native.constants.WNOHANG); // null, or { pid, code: 0, … }
 */
export declare function waitpid(pid: number, flags?: number): WaitResult | null;

/**
 * Opens a pidfd for any process (pidfd_open(2), Linux 5.3+): an fd (close-on-exec) that becomes
 * readable when the process exits, and names that process even if its pid is reused.
 *
 * @throws `ESRCH` (syscall `pidfd_open`) when no such process exists; `ENOSYS` before Linux 5.3.
 * @example
 * const native = require('@x/native');
 * const fd = native.pidfdOpen(process.pid);
 * native.close(fd);
 */
export declare function pidfdOpen(pid: number): number;

/**
 * Calls `callback` once when a process exits, whether or not it is a child of this process, without
 * polling (a pidfd on the event loop). The callback gets the exit status when this process can know
 * it: a child of {@link spawn} is reaped and its status given; a child of `child_process` has its
 * status looked at without reaping it (libuv still reaps it; if libuv was first, `null`); any other
 * process gives `null`. The watch keeps the event loop alive until it fires or is stopped.
 *
 * @returns `stop()`, which cancels the watch (idempotent).
 * @throws `ESRCH` (syscall `pidfd_open`) when no such process exists (it already ended and was reaped).
 * @throws `ERR_X_INVALID_ARG` for a pid below 1 or a non-function callback.
 * @example
 * const native = require('@x/native');
 * const pid = native.spawn('/bin/sleep', ['sleep', '1']);
 * native.watchPid(pid, (status) => console.log('exited', status)); // { code: 0, signal: null, … }
 */
export declare function watchPid(pid: number, callback: (status: ExitStatus | null) => void): () => void;

// ---------------------------------------------------------------- poll

/** What {@link watchFd} found ready. */
export interface FdEvents {
  readable: boolean;
  writable: boolean;
  /** The peer hung up (EPOLLRDHUP/EPOLLHUP): reads will soon return end-of-stream. */
  hangup: boolean;
}

/**
 * Calls `callback` on the event loop whenever an fd is ready (a uv_poll_t, level-triggered: it fires
 * again on every loop turn while the fd stays ready, so read or stop). An error (status from libuv)
 * is passed as the first argument and stops the watch. Only one watch per fd per thread.
 *
 * @param events `'r'` (readable), `'w'` (writable) or `'rw'`.
 * @returns `stop()`, which ends the watch (idempotent; call it before closing the fd).
 * @throws `EBADF`; `EPERM` for a regular file (always ready); `EEXIST` for an fd this thread already
 *   watches, including fds Node's own handles use (syscall `uv_poll_init`).
 * @throws `ERR_X_INVALID_ARG` for a bad fd, events or callback.
 * @example
 * const native = require('@x/native');
 * const [readEnd, writeEnd] = native.pipe();
 * const stop = native.watchFd(readEnd, 'r', (error, events) => { stop(); console.log(events.readable); });
 */
export declare function watchFd(
  fd: number,
  events: 'r' | 'w' | 'rw',
  callback: (error: NativeSystemError | null, events: FdEvents | null) => void,
): () => void;

// ---------------------------------------------------------------- signals

/** What a signal does when it arrives and nothing handles it. */
export type SignalDisposition = 'default' | 'ignore';

/**
 * Sets the process-wide disposition of a signal with sigaction(2), below Node and libuv.
 *
 * Use it only when the process is about to end, or for a signal no Node listener is using: a libuv
 * handler replaced here stops Node's `process.on(signal)` listeners from being called.
 *
 * @param signal the signal's number (from 1 to NSIG-1), e.g. `os.constants.signals.SIGPIPE`.
 * @param disposition `'default'` (SIG_DFL) or `'ignore'` (SIG_IGN).
 * @throws `EINVAL` (syscall `sigaction`) for a signal whose disposition cannot change (SIGKILL, SIGSTOP).
 * @throws `ERR_X_INVALID_ARG` for a signal that is not an integer in range, or another disposition.
 * @example
 * const native = require('@x/native');
 * native.setDisposition(require('node:os').constants.signals.SIGPIPE, 'default');
 */
export declare function setDisposition(signal: number, disposition: SignalDisposition): void;

/**
 * Restores the default action of a signal, unblocks it and raises it in the calling thread, so the
 * process ends *by that signal* (its parent's waitpid sees WIFSIGNALED) even for signals Node claims
 * for itself (SIGUSR1 for the inspector, SIGPIPE which Node ignores).
 *
 * Returns only when the signal's default action does not end the process (SIGCHLD, SIGWINCH, SIGCONT,
 * or a stop signal once the process is continued).
 *
 * @param signal the signal's number, e.g. `os.constants.signals.SIGTERM`.
 * @throws `EINVAL` (syscall `sigaction`) for SIGKILL or SIGSTOP: use `process.kill` for those.
 * @throws `ERR_X_INVALID_ARG` for a signal that is not an integer in range.
 * @example
 * require('@x/native').raiseDefault(require('node:os').constants.signals.SIGUSR1);
 */
export declare function raiseDefault(signal: number): void;

/**
 * Remembers a signal's current action (handler, flags and mask: Node's own, before a `process.on`
 * listener makes libuv replace it), replacing what an earlier call remembered. While the interrupt
 * word ({@link installInterruptWord}) is installed for the signal, the action remembered is the one it
 * chains to, so restoring and uninstalling, in either order, end with the action from before both.
 *
 * @throws `ERR_X_INVALID_ARG` for a signal that is not an integer in range.
 * @example
 * const native = require('@x/native');
 * const { SIGINT } = require('node:os').constants.signals;
 * native.captureDisposition(SIGINT);
 * process.on('SIGINT', () => {});
 * process.removeAllListeners('SIGINT'); // libuv leaves SIG_DFL behind
 * native.restoreDisposition(SIGINT); // Node's own handler again
 */
export declare function captureDisposition(signal: number): void;

/**
 * Puts back the action {@link captureDisposition} remembered for a signal, and forgets it. Does
 * nothing when none is remembered. While the interrupt word is installed for the signal, the action
 * goes beneath it: the word keeps counting, chained to the restored action.
 *
 * @throws `EINVAL` (syscall `sigaction`) for SIGKILL and SIGSTOP.
 * @throws `ERR_X_INVALID_ARG` for a signal that is not an integer in range.
 * @example
 * require('@x/native').restoreDisposition(require('node:os').constants.signals.SIGINT);
 */
export declare function restoreDisposition(signal: number): void;

/**
 * Changes the signal mask of the calling thread (pthread_sigmask(3)) and returns the one it replaces.
 * Only this thread is affected: a process-directed signal blocked here is delivered to another of
 * Node's threads, which runs the handler as usual. SIGKILL and SIGSTOP are never blocked.
 *
 * @param how `'block'` adds `signals`, `'unblock'` removes them, `'set'` makes them the whole mask.
 * @param signals signal numbers (1 to NSIG-1).
 * @returns the signals blocked before the call, in increasing order.
 * @throws `ERR_X_INVALID_ARG` for another `how` or a signal out of range.
 * @example
 * const native = require('@x/native');
 * const previous = native.sigmask('block', [require('node:os').constants.signals.SIGINT]);
 * native.sigmask('set', previous);
 */
export declare function sigmask(how: 'block' | 'unblock' | 'set', signals: number[]): number[];

/**
 * Registers the interrupt word: a C signal handler for each of `signals` that atomically increments
 * `Int32[0]` of `buffer` (the delivery counter) after storing the signal's number in `Int32[1]` (the
 * last signal), then chains to whatever handler was installed for that signal before it, so Node's JS
 * listeners (libuv's handler) still run and an unhandled signal still has its default effect. A thread
 * blocked in `Atomics.wait` cannot run JS listeners; it polls the counter (with bounded waits) and
 * gives up when it moves. The handler does only async-signal-safe work; nothing is notified.
 *
 * - The handler is installed with the chained-to handler's flags and mask (SA_RESTART kept or not as
 *   it had it; SA_RESTART when chaining to SIG_DFL/SIG_IGN), plus SA_SIGINFO; the chained-to handler
 *   is called with `siginfo` if it asked for it, and its SA_RESETHAND is honoured (Node's own SIGINT
 *   and SIGTERM handlers re-raise with it to exit by the signal).
 * - Idempotent and re-callable: for each signal whose current handler is not this one (libuv replaces
 *   it when a first `process.on(signal)` listener is added, and sets SIG_DFL when the last one is
 *   removed), calling again chains to the current handler; a signal already ours is left as it is.
 * - A new `buffer` replaces the old one for every signal. The buffer is kept alive while registered,
 *   and the handler stops writing to it before it is released (on unregistering, replacement, or the
 *   end of the worker or process that registered it): never a dangling pointer.
 *
 * @param buffer a SharedArrayBuffer of at least 8 bytes: `Int32Array(buffer)[0]` the counter,
 *   `[1]` the last signal's number.
 * @param signals signal numbers (1 to NSIG-1).
 * @throws `EINVAL` (syscall `sigaction`) for SIGKILL or SIGSTOP, before anything is installed.
 * @throws `ERR_X_INVALID_ARG` for another kind of buffer, a smaller one, or a signal out of range.
 * @example
 * const native = require('@x/native');
 * const word = new Int32Array(new SharedArrayBuffer(8));
 * process.on('SIGINT', () => console.log('interrupted'));
 * native.installInterruptWord(word.buffer, [require('node:os').constants.signals.SIGINT]);
 * // A blocked wait: Atomics.wait(word, 0, seen, 50) in a loop, until word[0] !== seen.
 */
export declare function installInterruptWord(buffer: SharedArrayBuffer, signals: number[]): void;

/**
 * Unregisters the interrupt word for `signals`: each whose current handler is the interrupt handler
 * gets back the handler it chains to (one that replaced it since is left alone). When no signal is
 * counted any more, the buffer is released.
 *
 * @throws `ERR_X_INVALID_ARG` for a signal out of range.
 * @example
 * require('@x/native').uninstallInterruptWord([require('node:os').constants.signals.SIGINT]);
 */
export declare function uninstallInterruptWord(signals: number[]): void;

/**
 * Registers a coarse clock word: a native thread writes `CLOCK_MONOTONIC` in milliseconds (the clock
 * `performance.now()` counts on) into it every millisecond, so the time can be read with one memory load
 * instead of a clock call (70-150 ns on a VM). Meant for reading the time very often, e.g. once per
 * slice of a scheduler.
 *
 * Layout of the 16 bytes: `Float64Array(buffer, 0, 1)[0]` the time; `Int32Array(buffer, 8, 2)`: `[0]`
 * busy, `[1]` ticking.
 * - The thread ticks while some registered reader is busy. Set busy with `Atomics.store` while you read
 *   the word (during a run of work), and clear it after.
 * - After 50 ticks with no reader busy the thread stores 0 in every word's `ticking` and ends. A reader
 *   that stores busy = 1 and then finds `Atomics.load(ticking) === 0` calls {@link wakeCoarseClock}: the
 *   store and the thread's last look at busy are ordered so that either the reader sees 0 or the thread
 *   keeps ticking. While `ticking` is 0 the time in the word is stale.
 * - The value is at most one tick behind, more if the thread is starved of CPU; it never goes back.
 * - One word per worker thread or main thread: a new buffer replaces the old one. The buffer is kept
 *   alive while registered, and unregistered when the thread that registered it ends.
 *
 * @returns the time written into the word, in ms on `CLOCK_MONOTONIC` (subtract it from
 *   `performance.now()` once to get the offset between the two).
 * @throws `ERR_X_INVALID_ARG` for anything but a SharedArrayBuffer of at least 16 bytes.
 * @throws `EAGAIN` (syscall `pthread_create`) when the clock's thread cannot be started (out of threads
 *   or memory); the word is then left unregistered.
 * @example
 * const native = require('@x/native');
 * const buffer = new SharedArrayBuffer(16);
 * const time = new Float64Array(buffer, 0, 1), flags = new Int32Array(buffer, 8, 2);
 * const offset = performance.now() - native.coarseClock(buffer);
 * Atomics.store(flags, 0, 1); // busy
 * if (Atomics.load(flags, 1) === 0) native.wakeCoarseClock();
 * const now = time[0] + offset; // ≈ performance.now(), within a millisecond
 * Atomics.store(flags, 0, 0);
 */
export declare function coarseClock(buffer: SharedArrayBuffer): number;

/**
 * Starts the coarse clock's thread again if it ended for want of a busy reader, and writes the time into
 * every registered word, setting `ticking` to 1. Returns the time written (ms on `CLOCK_MONOTONIC`).
 *
 * @throws `EAGAIN` (syscall `pthread_create`) when the thread cannot be started; no word is changed.
 */
export declare function wakeCoarseClock(): number;

/** Unregisters this thread's coarse clock word: once this returns the clock no longer writes to it. */
export declare function stopCoarseClock(): void;
