// The one way @x/ops runs a program: argv (or a shell line), no terminal, stdin closed, output kept to a
// bounded tail, and a failure that names the command, its status and what it printed.
import { spawn } from 'node:child_process';
import { CommandFailedError } from '../errors.js';

const KEEP = 64 * 1024;
const TAIL = 4 * 1024;

/** A program that ran to its end. */
export interface Exec {
  exitCode: number | null;
  signal: string | null;
  /** The last 64 KiB of stdout, and of stderr. */
  stdout: string;
  stderr: string;
  /** The last 4 KiB of both, interleaved as they arrived: what an error shows. */
  output: string;
}

export interface ExecOptions {
  cwd?: string | undefined;
  /** Added to this process's environment. */
  env?: Record<string, string> | undefined;
}

function keepTail(kept: string, chunk: string, limit: number): string {
  const joined = kept + chunk;
  return joined.length > limit ? joined.slice(joined.length - limit) : joined;
}

/** Runs `argv` to its end; never rejects for a status (see `mustRun`), only when it cannot start. */
export function run(argv: readonly string[], options: ExecOptions = {}): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env === undefined ? process.env : { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: Exec = { exitCode: null, signal: null, stdout: '', stderr: '', output: '' };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      result.stdout = keepTail(result.stdout, chunk, KEEP);
      result.output = keepTail(result.output, chunk, TAIL);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      result.stderr = keepTail(result.stderr, chunk, KEEP);
      result.output = keepTail(result.output, chunk, TAIL);
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      result.exitCode = code;
      result.signal = signal;
      resolve(result);
    });
  });
}

/** How a command shows in messages and events. */
export function shown(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');
}

/**
 * Runs `argv` and resolves with what it printed.
 * @throws ERR_X_OPS_COMMAND_FAILED when it exits non-zero or is killed, or cannot start (ENOENT: not installed).
 */
export async function mustRun(argv: readonly string[], options: ExecOptions = {}, as: string = shown(argv)): Promise<Exec> {
  let result: Exec;
  try {
    result = await run(argv, options);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? `${argv[0]} is not installed (or cwd does not exist)` : e.message;
    throw new CommandFailedError(as, null, null, why, { cause: error });
  }
  if (result.exitCode !== 0) throw new CommandFailedError(as, result.exitCode, result.signal, result.output);
  return result;
}
