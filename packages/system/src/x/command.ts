// The shape every x command has, so that cli.ts can parse, check, run and report them all one way.
import type { ParseArgsConfig } from 'node:util';
import type { Display } from './display.js';
import type { Inventory } from './inventory.js';
import type { Outcome, Work } from './runner.js';

/** The options every command that runs on targets takes. */
export interface CommonOptions {
  parallel: number;
  timeoutMs?: number;
  json: boolean;
  quiet: boolean;
  failFast: boolean;
  /** -v: failures with their stack, own fields and causes. */
  verbose: boolean;
  /** --batch N|P%, resolved to a count of targets. */
  batchSize?: number;
  maxFailPercent?: number;
  retries?: number;
  cwd: string;
}

/** What a command does once its input is checked: the work per target and how results are shown. */
export interface Job {
  work: Work;
  /** The modules `work` calls: their graphs are built while the targets connect (router.preload). */
  modules?: URL[];
  /** Shows one finished target as it comes (not with --json). Failures are shown by the caller. */
  report?(display: Display, outcome: Outcome): void;
  /** The summary table's last column for a target that succeeded. */
  describe(outcome: Outcome): string;
  /** More fields for the target's --json line. */
  jsonExtra?(outcome: Outcome): Record<string, unknown>;
  /** Writes the closing report instead of the summary table (not with --json or --quiet). */
  summary?(display: Display, outcomes: Outcome[]): void;
}

/** An x command: one that runs on targets, or one that works here alone (x inventory). */
export type Command = TargetCommand | LocalCommand;

interface CommandText {
  name: string;
  /** One line for `x --help`. */
  summary: string;
  usage: string;
  /** The rest of `x <command> --help`: what it does, its own notes, examples. */
  help: string;
  /** Everything from the first positional argument on belongs to the command (run's arguments, exec's command). */
  restAfterFirst: boolean;
  /** Options of this command alone, beside the common ones; its help text describes them. */
  options?: ParseArgsConfig['options'];
}

/** A command that runs on the targets of --on. */
export interface TargetCommand extends CommandText {
  /**
   * Checks the positional arguments and prepares the job, before any target is contacted. `own`
   * holds the values of the command's own options.
   * @throws UsageError for bad input (exit status 2).
   */
  prepare(positionals: string[], options: CommonOptions, display: Display, own: Record<string, string | boolean | undefined>): Promise<Job>;
}

/** A command that contacts no target, so needs no --on: it reads what it needs here and writes to stdout. */
export interface LocalCommand extends CommandText {
  /**
   * Does the command's work and gives the exit status.
   * @throws UsageError for bad input (exit status 2).
   */
  runHere(positionals: string[], here: { inventory: () => Inventory | undefined; json: boolean }, own: Record<string, string | boolean | undefined>): number;
}
