import { readFileSync } from 'node:fs';
import type { ExitResult } from './exit-result.js';
import { type Invocation, checkInvocation } from './invocation.js';
import { native } from './native.js';
import { spawn } from './spawn.js';

/**
 * Runs `invocation` in the foreground, as a shell runs a command: stdio inherited, in a process group of
 * its own that becomes the terminal's foreground group (so Ctrl+C, Ctrl+Z and terminal reads go to it,
 * not to this process) until it exits; then the terminal is given back. Without a terminal it simply
 * runs to its end. Its environment is this process's plus `invocation.environ`.
 *
 * @returns how it ended (after it has been reaped).
 * @throws {SpawnError} as `spawn`.
 * @throws `ERR_X_INVALID_ARG` (as a rejection) for something other than an Invocation.
 * @example
 * import { Invocation, systemExecute } from '@x/process';
 * const { code } = await systemExecute(new Invocation('vi', ['notes.txt']));
 */
export async function systemExecute(invocation: Invocation): Promise<ExitResult> {
  checkInvocation(invocation);
  const child = spawn(invocation.executable, invocation.args, {
    stdio: 'inherit',
    env: { ...process.env, ...invocation.environ },
    cwd: invocation.directory,
    pgid: 0,
  });
  const terminal = foregroundTerminal();
  if (terminal !== null) native().tcsetpgrp(terminal.fd, child.pid);
  try {
    return await child.exited;
  } finally {
    if (terminal !== null) native().tcsetpgrp(terminal.fd, terminal.pgid);
  }
}

/** This process's terminal (fd 0, 1 or 2) when this process's group is its foreground group; else null. */
function foregroundTerminal(): { fd: number; pgid: number } | null {
  const addon = native();
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // pgrp is the 3rd field after the command, whose parentheses may hold spaces.
  const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  for (const fd of [0, 1, 2]) {
    try {
      if (addon.fdType(fd) === 'tty' && addon.tcgetpgrp(fd) === pgid) return { fd, pgid };
    } catch {
      // not our controlling terminal
    }
  }
  return null;
}
