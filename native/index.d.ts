/**
 * @x/native: the native addon behind x, for what Node itself cannot do.
 *
 * Every function throws errors shaped like Node's own (`code` such as `'EINVAL'`, a negative `errno`,
 * `syscall`, and `path` where there is one); an argument of the wrong type or range throws a
 * `TypeError` with `code: 'ERR_X_INVALID_ARG'`.
 */

/** An error from a failed system call, shaped like Node's own. */
export interface NativeSystemError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

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
 */
export declare function raiseDefault(signal: number): void;

/**
 * Remembers the current disposition of a signal (its handler, mask and flags), replacing any
 * remembered before, so that `restoreDisposition` can put it back. @x/signals calls it before adding
 * the first listener for a signal: Node's own handlers (the inspector's SIGUSR1, SIGPIPE ignored) are
 * overwritten by libuv's and would otherwise be lost when the last listener goes.
 *
 * @param signal the signal's number.
 * @throws `EINVAL` (syscall `sigaction`) for a signal number the kernel rejects.
 * @throws `ERR_X_INVALID_ARG` for a signal that is not an integer in range.
 */
export declare function captureDisposition(signal: number): void;

/**
 * Puts back the disposition `captureDisposition` remembered for a signal, once; does nothing when
 * none is remembered.
 *
 * @param signal the signal's number.
 * @throws `ERR_X_INVALID_ARG` for a signal that is not an integer in range.
 */
export declare function restoreDisposition(signal: number): void;
