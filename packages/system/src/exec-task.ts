// Shipped to every target by `x exec` and run there: it may import only node: builtins, which come
// from the target's own Node (anything else would travel with it on the first call).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';

/** A chunk of output as it travels: which stream, and its bytes. */
export type OutputChunk = ['stdout' | 'stderr', Uint8Array];

/** The part of an @x/remote Sender this module uses. */
export interface ChunkSender {
  send(chunk: OutputChunk): unknown;
  close(): unknown;
}

/** How the command ended. */
export interface ExecStatus {
  exitCode: number | null;
  signal: string | null;
}

/** How the command runs, beside its file and arguments. */
export interface ExecOptions {
  /** Its working directory (default: the context's). */
  cwd?: string | undefined;
  /** Variables added to (or replacing) the context's environment. */
  env?: Record<string, string> | undefined;
  /** Its whole stdin (default: /dev/null). */
  input?: Uint8Array | undefined;
  /**
   * Run it on a terminal of this size: a pty made by util-linux `script` (nothing native travels to a
   * target), so stdout and stderr arrive as one stream, with the terminal's CRLF line ends.
   */
  tty?: { columns: number; rows: number } | undefined;
}

/**
 * Runs `file` with `args` (no shell: use `sh -c '…'` for one), sending its stdout and stderr through
 * `output` as they come, and gives how it ended.
 *
 * Nothing it starts outlives the context. The command stays in the context's process group, which
 * @x/remote kills whole when it forces a context down; when the context ends gracefully instead, the
 * 'exit' hook below kills every other member of the group (the command and whatever it started).
 */
export function exec(file: string, args: string[], output: ChunkSender, options: ExecOptions = {}): Promise<ExecStatus> {
  if (!hooked) {
    hooked = true;
    process.on('exit', killGroupButMe);
  }
  const { cwd, env, input, tty } = options;
  // spawn() reports a missing cwd as the command missing ("spawn ls ENOENT"): say which it is.
  if (cwd !== undefined && !isDirectory(cwd)) {
    return Promise.reject(Object.assign(new Error(`the working directory '${cwd}' is not a directory on this target`), { code: 'ENOTDIR', path: cwd }));
  }
  const [command, commandArgs] = tty === undefined ? [file, args] : onTerminal(file, args, tty);
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(cwd === undefined ? {} : { cwd }),
      ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
    });
    children.add(child);
    if (input !== undefined) {
      // A command that exits without reading all of it closes the pipe: not an error of x's.
      child.stdin!.on('error', () => {});
      child.stdin!.end(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
    }
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = child[name]!;
      stream.on('data', (data: Buffer) => {
        let sent: unknown;
        try {
          sent = output.send([name, data]);
        } catch {
          // The receiver is gone (closed, or its process ended): nobody reads this command's output any more.
          child.kill('SIGKILL');
          return;
        }
        // A Sender that reports back-pressure with a promise gets it passed on to the command's pipe.
        if (sent && typeof (sent as Promise<unknown>).then === 'function') {
          stream.pause();
          void (sent as Promise<unknown>).then(() => stream.resume(), () => child.kill('SIGKILL'));
        }
      });
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      children.delete(child);
      output.close();
      if (tty !== undefined && error.code === 'ENOENT' && error.path === 'script') error.message = `--tty runs the command under util-linux 'script', which this target lacks (${error.message})`;
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      children.delete(child);
      output.close();
      resolve({ exitCode, signal });
    });
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The command run on a pty of `size` by util-linux `script` (-e: its exit status; -q: no banner). */
function onTerminal(file: string, args: string[], size: { columns: number; rows: number }): [string, string[]] {
  const quoted = [file, ...args].map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
  return ['script', ['-qefc', `stty cols ${size.columns} rows ${size.rows} 2>/dev/null; exec ${quoted}`, '/dev/null']];
}

const children = new Set<ReturnType<typeof spawn>>();
let hooked = false;

/**
 * SIGKILLs every process of this process's group but this one (Linux: read from /proc) when this
 * context leads its group, as @x/remote's contexts do; otherwise (the group is someone else's too)
 * only the commands this module started.
 */
function killGroupButMe(): void {
  const group = process.pid;
  let pids: number[];
  try {
    if (processGroupOf(process.pid) !== group) throw new Error('not a group leader');
    pids = readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .filter((pid) => pid !== process.pid && processGroupOf(pid) === group);
  } catch {
    pids = [...children].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

function processGroupOf(pid: number): number | undefined {
  try {
    // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return undefined;
  }
}
