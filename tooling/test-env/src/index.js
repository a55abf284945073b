// Leak checks for tests that start processes, threads or fds: a snapshot of what
// the test process holds before a test, compared with what it holds after.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { afterEach, beforeEach } from 'vitest';

function openFds() {
  const fds = new Map();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      fds.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The fd readdir itself used, closed before we could look at it.
    }
  }
  return fds;
}

function childProcesses() {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let statLine;
    try {
      statLine = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // comm may hold spaces and parentheses: the fields after the last ')' are fixed.
    const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid) continue;
    let command = statLine.slice(statLine.indexOf('(') + 1, statLine.lastIndexOf(')'));
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      if (cmdline) command = cmdline;
    } catch {}
    children.set(Number(name), `${command}${fields[0] === 'Z' ? ' (zombie: never reaped)' : ''}`);
  }
  return children;
}

function threadCount() {
  return readdirSync('/proc/self/task').length;
}

/**
 * Takes a snapshot of the fds, child processes and threads of this process.
 * libuv's thread pool starts on first use; it is started here first so that its
 * threads are not reported as a leak of the test that happened to start it.
 */
export async function takeSnapshot() {
  await stat('/');
  return { fds: openFds(), children: childProcesses(), threads: threadCount() };
}

function describeLeaks(before) {
  const problems = [];
  for (const [fd, target] of openFds()) {
    if (!before.fds.has(fd)) problems.push(`fd ${fd} -> ${target} is still open`);
  }
  for (const [pid, command] of childProcesses()) {
    if (!before.children.has(pid)) problems.push(`child process ${pid} (${command}) is still alive`);
  }
  const threads = threadCount();
  if (threads > before.threads) {
    problems.push(`${threads - before.threads} more thread(s) than before (a worker thread not terminated?)`);
  }
  return problems;
}

/**
 * Resolves when everything opened since `before` is gone; rejects, naming exactly
 * what leaked, if it is not gone within `settleMs` (fds and children close and
 * exit asynchronously, so a short grace period is allowed).
 */
export async function assertNoLeaks(before, { settleMs = 2000 } = {}) {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const problems = describeLeaks(before);
    if (problems.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(`The test leaked resources:\n  ${problems.join('\n  ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Registers a leak check around every test of the calling file (vitest beforeEach/afterEach). */
export function useLeakCheck(options) {
  let before;
  beforeEach(async () => {
    before = await takeSnapshot();
  });
  afterEach(async () => {
    await assertNoLeaks(before, options);
  });
}
