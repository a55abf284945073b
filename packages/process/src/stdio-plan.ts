// Turns the `stdio` option into what @x/native's spawn needs (the child's fd map, a controlling
// terminal) and what the parent keeps (its ends of pipes, socketpairs and the pty master).
import { InvalidArgumentError } from './errors.js';
import { native } from './native.js';

/** How one of the child's fds is set up. */
export type StdioMode = 'pipe' | 'socketpair' | 'pty' | 'inherit' | 'ignore' | number;

/**
 * The `stdio` option: one mode for fds 0 to 2, `'hybrid'` (stdin and stdout on a socketpair, stderr and
 * the controlling terminal on a pty), or one mode per fd (fds past 2 are passed too).
 */
export type StdioOption = StdioMode | 'hybrid' | readonly StdioMode[];

/** The parent's end of one child fd. */
export interface ParentEnd {
  /** Which way the bytes go: 'write' (into the child), 'read' (from it) or 'both'. */
  direction: 'read' | 'write' | 'both';
  kind: 'pipe' | 'socketpair' | 'pty';
  /** The parent's fd (for a pty, the master, shared by every pty fd). */
  fd: number;
}

export interface StdioPlan {
  fdmap: Array<number | null>;
  ends: Array<ParentEnd | null>;
  /** The pty, when any fd is on one. */
  pty: { master: number; slave: number; name: string } | null;
  /** The first child fd on the pty: it becomes the controlling terminal. */
  controllingTty: number | undefined;
  /** The child's ends, closed here once the child has them. */
  childEnds: number[];
}

const modes = new Set(['pipe', 'socketpair', 'pty', 'inherit', 'ignore']);

/** Normalizes the option into one mode per fd, or throws `ERR_X_INVALID_ARG`. */
export function stdioModes(stdio: StdioOption | undefined): StdioMode[] {
  if (stdio === undefined) return ['pipe', 'pipe', 'pipe'];
  if (stdio === 'hybrid') return ['socketpair', 'socketpair', 'pty'];
  const list = Array.isArray(stdio) ? [...(stdio as StdioMode[])] : [stdio as StdioMode, stdio as StdioMode, stdio as StdioMode];
  for (const [index, mode] of list.entries()) {
    const valid = typeof mode === 'number' ? Number.isInteger(mode) && mode >= 0 : modes.has(mode as string);
    if (!valid) {
      throw new InvalidArgumentError(
        Array.isArray(stdio) ? `options.stdio[${index}]` : 'options.stdio',
        "'pipe', 'socketpair', 'pty', 'inherit', 'ignore', an fd (integer >= 0), 'hybrid' or an array of modes",
        mode,
      );
    }
  }
  return list;
}

export interface PtySize {
  cols?: number;
  rows?: number;
}

/** Opens what the modes need. On failure, everything opened so far is closed again. */
export function openStdio(modesList: readonly StdioMode[], ptySize: PtySize | undefined): StdioPlan {
  const addon = native();
  const plan: StdioPlan = { fdmap: [], ends: [], pty: null, controllingTty: undefined, childEnds: [] };
  try {
    for (const [fd, mode] of modesList.entries()) {
      if (mode === 'inherit') {
        plan.fdmap.push(fd);
        plan.ends.push(null);
      } else if (mode === 'ignore') {
        plan.fdmap.push(null);
        plan.ends.push(null);
      } else if (typeof mode === 'number') {
        plan.fdmap.push(mode);
        plan.ends.push(null);
      } else if (mode === 'pipe') {
        const [readEnd, writeEnd] = addon.pipe();
        const intoChild = fd === 0;
        plan.fdmap.push(intoChild ? readEnd : writeEnd);
        plan.childEnds.push(intoChild ? readEnd : writeEnd);
        plan.ends.push({ direction: intoChild ? 'write' : 'read', kind: 'pipe', fd: intoChild ? writeEnd : readEnd });
      } else if (mode === 'socketpair') {
        const [mine, theirs] = addon.socketpair('stream');
        plan.fdmap.push(theirs);
        plan.childEnds.push(theirs);
        plan.ends.push({ direction: fd === 0 ? 'write' : fd <= 2 ? 'read' : 'both', kind: 'socketpair', fd: mine });
      } else {
        if (!plan.pty) {
          plan.pty = addon.openpty(ptySize ?? {});
          plan.childEnds.push(plan.pty.slave);
          plan.controllingTty = fd;
        }
        plan.fdmap.push(plan.pty.slave);
        plan.ends.push({ direction: fd === 0 ? 'write' : fd <= 2 ? 'read' : 'both', kind: 'pty', fd: plan.pty.master });
      }
    }
  } catch (error) {
    closePlan(plan);
    throw error;
  }
  return plan;
}

/** Closes the child's ends (after spawn, or after a failed spawn). */
export function closeChildEnds(plan: StdioPlan): void {
  const addon = native();
  for (const fd of plan.childEnds.splice(0)) addon.close(fd);
}

/** Closes every fd of the plan: the spawn failed. */
export function closePlan(plan: StdioPlan): void {
  closeChildEnds(plan);
  const addon = native();
  const parentFds = new Set(plan.ends.filter((end): end is ParentEnd => end !== null).map((end) => end.fd));
  for (const fd of parentFds) addon.close(fd);
}
