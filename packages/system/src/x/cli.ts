// The x command: parses the command line (node:util parseArgs), checks everything it can before any
// target is contacted, runs the command on the targets and reports. Exit status: 0 when every target
// succeeded, 1 when any did not, 2 for a usage error; Ctrl+C ends it by SIGINT (main() does that).
import { createRequire } from 'node:module';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { onExit } from '@x/signals';
import type { Router } from '@x/remote';
import type { MainContext } from '../main.js';
import type { Command, CommonOptions } from './command.js';
import { apply } from './commands/apply.js';
import { copy } from './commands/copy.js';
import { exec } from './commands/exec.js';
import { inventory, inventoryHelp } from './commands/inventory.js';
import { ping } from './commands/ping.js';
import { run } from './commands/run.js';
import { askPasswords, connectionHelp, connectionOptions, parseConnectionFlags, shareSshLogins } from './connection-flags.js';
import { Display, formatDuration } from './display.js';
import { UsageError } from './errors.js';
import { limitTargets } from './host-pattern.js';
import { inventoryLoader } from './inventory.js';
import { describeError, errorSummary, jsonLine, writeSummary } from './report.js';
import { parseRunControl, runControlHelp, runControlOptions } from './run-control.js';
import { defaultTransientRetries, type Outcome, runTargets } from './runner.js';
import { parseTargets } from './targets.js';

export const commands: Command[] = [run, exec, ping, copy, apply, inventory];

const usage = 'x <run|exec|ping|copy|apply> --on TARGETS [OPTIONS] ...';

const options = {
  on: { type: 'string' },
  parallel: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  'fail-fast': { type: 'boolean' },
  inventory: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...runControlOptions,
  ...connectionOptions,
} satisfies ParseArgsConfig['options'];

/** The default of --parallel. */
export const defaultParallel = 32;

const optionsHelp = `Options:
  --on TARGETS       where to run (required): a comma list of the targets below
  --parallel N       at most N targets at a time; the rest wait their turn (default ${defaultParallel})
  --timeout MS       give up on a target after MS milliseconds, connecting included
  --json             one JSON object per target per line on stdout: target, ok, result or
                     error (name, code, message, its own fields, cause), attempts (connections
                     tried), duration (ms); no progress, no table, no colors
  -q, --quiet        no progress line and no summary table
  --fail-fast        after the first failure, cancel the targets not yet done
  --inventory FILE   the inventory (default: x.inventory.json or x.inventory.yaml here); x's
                     own format or an Ansible one (INI or YAML), see Inventory below
  --limit PATTERN    only the targets of --on that the Ansible host pattern selects: names,
                     groups, globs (web*), a,b or a:b, !exclude, &intersect, ~regex
${runControlHelp}
${connectionHelp}
  -h, --help         this help`;

const targetsHelp = `Targets:
  local              a Node context on this machine (no ssh needed)
  local*8            eight of them (quote it in zsh: 'local*8')
  user@host:port     a host over ssh; ssh://user@host:port is the same, [::1] for IPv6
  host               a host over ssh, as ssh would reach it: the name goes to ssh, so its
                     ~/.ssh/config Host blocks apply; the inventory's options for it first
  A/B                a chain: B reached through A, as in ssh://web1/sudo:root or bastion/db1
  sudo[:user]        a context as another user (root by default) through sudo; su[:user] alike
  @group             the group's targets, from the inventory
  a,b,c              several of the above`;

function mainHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `x: run your TypeScript functions and commands on many machines at once, over ssh, with
nothing installed there but node.

Usage: ${usage}
       x <command> --help

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

${optionsHelp}

${targetsHelp}

${inventoryHelp}

Exit status: 0 when every target succeeded, 1 when any failed (the summary says which), 2 for a
usage error. Ctrl+C cancels every target, shuts every context down and ends x by SIGINT; a second
Ctrl+C ends it at once. A reader that goes away (x ... | head -1) does the same, quietly, by SIGPIPE.

Examples:
  x run --on local*4 examples/tasks.ts#hostInfo
  x exec --on @web -- uptime
  x ping --on 'deploy@web1,deploy@web2:2222'
  x copy --on @web ./dist /srv/app
  x apply --on @web --check --diff site.ts
`;
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.help}\n\n${optionsHelp}\n\n${targetsHelp}\n\n${inventoryHelp}\n`;
}

/** `x 1.2.3 (node v20.20.0)`: @x/system's version, found by the package's own name wherever it is installed (dist/, src/, node_modules). */
function version(): string {
  const pkg = createRequire(import.meta.url)('@x/system/package.json') as { version: string };
  return `x ${pkg.version} (node ${process.version})`;
}

/** The x command's main function (run under main()): gives the exit status. */
export async function x(context: MainContext): Promise<number> {
  const args = [...context.args];
  const first = args[0];
  try {
    if (first === undefined) throw new UsageError('say which command to run.', usage);
    if (first === '--help' || first === '-h' || first === 'help') {
      const topic = commands.find((command) => command.name === args[1]);
      process.stdout.write(topic ? commandHelp(topic) : mainHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    const command = commands.find((candidate) => candidate.name === first);
    if (!command) throw new UsageError(`'${first}' is not an x command; the commands are ${commands.map((c) => c.name).join(', ')}.`, usage);
    try {
      return await runCommand(command, args.slice(1), context);
    } catch (error) {
      if (error instanceof UsageError) error.usage ??= command.usage;
      throw error;
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`x: ${error.message}\nusage: ${error.usage ?? usage}\n`);
    return 2;
  }
}

async function runCommand(command: Command, argv: string[], context: MainContext): Promise<number> {
  const { values, positionals } = parseCommandLine(command, argv);
  if (values.help) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  const own = Object.fromEntries(Object.keys(command.options ?? {}).map((name) => [name, (values as Record<string, string | boolean | undefined>)[name]]));
  if ('runHere' in command) {
    return command.runHere(positionals, { inventory: inventoryLoader(values.inventory, process.cwd()), json: values.json ?? false }, own);
  }
  const { batchSize, ...control } = parseRunControl(values);
  const connection = parseConnectionFlags(values, process.cwd());
  const common: CommonOptions = {
    parallel: values.parallel === undefined ? defaultParallel : positiveInteger('--parallel', values.parallel, command),
    json: values.json ?? false,
    quiet: values.quiet ?? false,
    failFast: values['fail-fast'] ?? false,
    ...control,
    cwd: process.cwd(),
  };
  if (values.timeout !== undefined) common.timeoutMs = positiveInteger('--timeout', values.timeout, command);
  if (values.on === undefined) throw new UsageError(`${command.name} needs --on TARGETS, as in --on local*4 or --on @web.`, command.usage);
  const inventory = inventoryLoader(values.inventory, common.cwd);
  const named = parseTargets(values.on, inventory);
  const targets = values.limit === undefined ? named : limitTargets(named, values.limit, inventory);
  if (batchSize) common.batchSize = batchSize(targets.length);
  const display = new Display({ json: common.json, quiet: common.quiet, verbose: common.verbose });
  // The check is esbuild's work, in its own process (module-check.ts starts it before prepare's first
  // await): this thread loads @x/remote meanwhile. No target is contacted before both are done.
  const [job, remote] = await Promise.all([command.prepare(positionals, common, display, own), import('@x/remote')]);
  if (targets.some((target) => target.hops.some((hop) => hop.method === 'ssh'))) {
    const unshared = shareSshLogins(connection, remote.checkMultiplexDirectory);
    if (unshared !== undefined) process.stderr.write(`x: ${unshared}\n`);
  }

  await askPasswords(connection);
  const router = connection.maxMessageSize === undefined ? context.router : await ownRouter(connection.maxMessageSize);
  // What the targets' code prints (console.*, fd 1 and 2) comes as log records: written through the
  // display, prefixed like output lines, so that it never tears the progress line. x.ts turns the
  // router's own printer off.
  router.onLog((record) => display.lines(display.stderr, record.context.name, record.text));
  const { counts } = display;
  let outcomes: Outcome[] | undefined;
  // Ctrl+C (or any other end) while targets run: drop the progress line and say what is being undone;
  // main() then closes the router, which shuts every context down. A reader that went away (SIGPIPE,
  // from control()) ends x as quietly as it ends `yes | head`.
  const disposeInterrupt = onExit((reason) => {
    if (outcomes) return;
    display.finish();
    if (!common.json && 'signal' in reason && reason.signal !== 'SIGPIPE') {
      process.stderr.write(`x: ${reason.signal}: cancelling ${counts.running} running target${counts.running === 1 ? '' : 's'} and shutting their contexts down\n`);
    }
  });
  display.start(`x ${command.name}`, targets.length, Math.max(...targets.map((target) => target.name.length)));
  const running = runTargets(targets, job.work, {
    router,
    display,
    parallel: common.parallel,
    ...(common.timeoutMs === undefined ? {} : { timeoutMs: common.timeoutMs }),
    failFast: common.failFast,
    ...(common.batchSize === undefined ? {} : { batchSize: common.batchSize }),
    ...(common.maxFailPercent === undefined ? {} : { maxFailPercent: common.maxFailPercent }),
    ...(common.retries === undefined ? {} : { retries: common.retries }),
    hopDefaults: connection.defaults,
    signal: context.signal,
    onStart() {
      counts.running++;
      display.update();
    },
    onRetry(target, error, attempt, delayMs) {
      if (common.json || common.quiet) return;
      const retry = `retry ${attempt} of ${common.retries ?? defaultTransientRetries} in ${formatDuration(delayMs)}`;
      display.lines(display.stderr, target.name, `connection failed, ${retry}: ${errorSummary(error)}`);
    },
    onHalt(why) {
      if (!common.json) display.write(display.stderr, `x: ${why}: starting no more targets\n`);
    },
    onDone(outcome, started) {
      if (started) counts.running--;
      counts.done++;
      if (outcome.status !== 'ok') counts.failed++;
      if (common.json) display.write(display.stdout, jsonLine(outcome, job.jsonExtra?.(outcome), common.verbose));
      else if (outcome.status === 'ok') job.report?.(display, outcome);
      else if (outcome.status !== 'cancelled') display.lines(display.stderr, outcome.target.name, `${outcome.status}: ${describeError(outcome.error, common.verbose)}`);
      display.update();
    },
  });
  // While the first targets connect (their ssh logins are this thread's idle time): a failure is the
  // call's to report, when it makes the graph again.
  for (const url of job.modules ?? []) router.preload(url).catch(() => {});
  outcomes = await running;
  disposeInterrupt();
  display.finish();
  // Interrupted: the process is ending by the signal; the cleanup has said what it cancels.
  if (context.signal.aborted) return 1;
  if (!common.json && !common.quiet) {
    if (job.summary) job.summary(display, outcomes);
    else writeSummary(display, outcomes, job.describe);
  }
  return outcomes.every((outcome) => outcome.status === 'ok') ? 0 : 1;
}

/** A router like main()'s default one but with --max-message-size, closed the same way when x ends. */
async function ownRouter(maxMessageSize: number): Promise<Router> {
  const { Router } = await import('@x/remote');
  const router = new Router({ logPrinter: false, maxMessageSize });
  onExit(() => router.close(), { deadlineMs: 5_000 });
  return router;
}

function parseCommandLine(command: Command, argv: string[]) {
  let optionArgs = argv;
  let rest: string[] = [];
  if (command.restAfterFirst) {
    // Options come before the module or the command; everything from it on is passed on untouched.
    const { tokens } = parseArgs({ args: argv, options: { ...options, ...command.options }, strict: false, allowPositionals: true, tokens: true });
    const split = tokens.find((token) => token.kind === 'positional' || token.kind === 'option-terminator');
    if (split) {
      optionArgs = argv.slice(0, split.index);
      rest = argv.slice(split.kind === 'option-terminator' ? split.index + 1 : split.index);
    }
  }
  try {
    const parsed = parseArgs({ args: optionArgs, options: { ...options, ...command.options }, strict: true, allowPositionals: !command.restAfterFirst });
    return { values: parsed.values, positionals: command.restAfterFirst ? rest : parsed.positionals };
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\.$/, '')}.`, command.usage);
  }
}

function positiveInteger(option: string, text: string, command: Command): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${option} takes a whole number of at least 1, got '${text}'.`, command.usage);
  }
  return value;
}
