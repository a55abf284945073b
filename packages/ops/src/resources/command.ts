import * as fs from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { optionalBoolean, optionalString, optionsOf } from '../support/args.js';
import { mustRun, run, shown } from '../support/exec.js';

/** A command: a shell line, or an argv run without a shell. */
export type CommandLine = string | string[];

/** How and whether `command` runs. */
export interface CommandOptions {
  /** The working directory (default: the site's). */
  cwd?: string;
  /** Added to the environment. */
  env?: Record<string, string>;
  /** Skip when this path exists (relative to `cwd`): what the command creates. */
  creates?: string;
  /** Skip when this command succeeds (exits 0). */
  unless?: CommandLine;
  /** Run only when this command succeeds. */
  onlyIf?: CommandLine;
  /** Run a string through /bin/sh -c (default true for a string; an array never goes through a shell). */
  shell?: boolean;
}

export interface CommandResult extends ResourceResult {
  /** Whether the command ran (under check mode: whether it would run). */
  ran: boolean;
  /** The last 64 KiB of what it printed; `''` when it did not run. */
  stdout: string;
  stderr: string;
}

function argvOf(argument: string, line: unknown, shell: boolean): string[] {
  if (typeof line === 'string' && line.trim() !== '' && !line.includes('\0')) {
    if (!shell) throw new InvalidArgumentError(argument, 'an array of arguments when `shell` is false', line);
    return ['/bin/sh', '-c', line];
  }
  if (Array.isArray(line) && line.length > 0 && line.every((a) => typeof a === 'string' && !a.includes('\0'))) return line as string[];
  throw new InvalidArgumentError(argument, 'a shell line or a non-empty array of strings', line);
}

/**
 * Runs a command unless its guards say the work is done: `creates` (a path that exists), `unless` (a
 * command that succeeds), `onlyIf` (a command that fails). Changed when it ran. Under check mode the
 * guards run (they should only look) and the command does not.
 *
 * @example
 * import { command } from '@x/ops';
 * await command('make install', { cwd: '/srv/app', creates: '/usr/local/bin/app' });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_COMMAND_FAILED (non-zero exit: its status and output's tail)
 */
export function command(line: CommandLine, options?: CommandOptions): Promise<CommandResult> {
  return perform('command', Array.isArray(line) ? shown(line.map(String)) : String(line), async ({ check }) => {
    const o = optionsOf(options);
    const shell = optionalBoolean('options.shell', o.shell) ?? true;
    const argv = argvOf('command', line, shell);
    const cwd = optionalString('options.cwd', o.cwd);
    const creates = optionalString('options.creates', o.creates);
    if (o.env !== undefined && (typeof o.env !== 'object' || o.env === null || Object.values(o.env).some((v) => typeof v !== 'string'))) {
      throw new InvalidArgumentError('options.env', 'an object of strings', o.env);
    }
    const env = o.env;
    const unless = o.unless === undefined ? undefined : argvOf('options.unless', o.unless, true);
    const onlyIf = o.onlyIf === undefined ? undefined : argvOf('options.onlyIf', o.onlyIf, true);
    const skipped: CommandResult = { changed: false, actions: [], ran: false, stdout: '', stderr: '' };
    if (creates !== undefined && fs.existsSync(resolve(cwd ?? process.cwd(), creates))) return skipped;
    // A guard that cannot start (its cwd is made by an earlier resource not yet applied, under check mode) failed.
    const succeeds = (guard: string[]): Promise<boolean> => run(guard, { cwd, env }).then((done) => done.exitCode === 0, () => false);
    if (unless !== undefined && (await succeeds(unless))) return skipped;
    if (onlyIf !== undefined && !(await succeeds(onlyIf))) return skipped;
    if (check) return { changed: true, actions: ['ran'], ran: true, stdout: '', stderr: '' };
    const done = await mustRun(argv, { cwd, env }, Array.isArray(line) ? shown(argv) : line);
    return { changed: true, actions: ['ran'], ran: true, stdout: done.stdout, stderr: done.stderr };
  });
}
