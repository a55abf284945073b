import { inspect } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { checkModule } from '../module-check.js';

const usage = 'x run --on TARGETS [OPTIONS] MODULE#EXPORT [ARG...]';

/** `x run`: call an exported function of a module on every target and print each result. */
export const run: Command = {
  name: 'run',
  summary: 'call an exported function of a TypeScript or JavaScript module on every target',
  usage,
  restAfterFirst: true,
  help: `Calls EXPORT of MODULE in a Node context on every target, with the arguments, and prints each
target's result as it comes. The module and its imports travel to the target; nothing is installed
there but node. The module and the export are checked here before any target is contacted.

Each ARG is passed as JSON when it parses as JSON (42, true, null, "text", [1,2], {"a":1}) and as a
string otherwise. Options go before MODULE#EXPORT; everything after it is passed to the function.

Examples:
  x run --on local*4 examples/tasks.ts#hostInfo
  x run --on 'web1,web2,ssh://deploy@db1:2222' ./tasks.ts#diskUsage / 90
  x run --on @web --json ./tasks.ts#diskUsage / | jq .result
  x run --on ssh://web1/sudo:root --timeout 10000 ./tasks.ts#restart '{"service":"nginx"}'`,

  async prepare(positionals, options) {
    const [spec, ...rawArgs] = positionals;
    if (spec === undefined) throw new UsageError('run needs MODULE#EXPORT, as in examples/tasks.ts#hostInfo.', usage);
    const hash = spec.lastIndexOf('#');
    if (hash <= 0 || hash === spec.length - 1) {
      throw new UsageError(`'${spec}' does not name an export: write MODULE#EXPORT, as in examples/tasks.ts#hostInfo.`, usage);
    }
    const exportName = spec.slice(hash + 1);
    const url = await checkModule(spec.slice(0, hash), exportName, options.cwd);
    const args = rawArgs.map(parseArgument);
    return {
      work: (context, _target, session) => context.withOptions({ signal: session.signal }).call(url, exportName, ...args),
      modules: [url],
      report(display, outcome) {
        if (outcome.result === undefined) return;
        const colors = display.colors(display.stdout);
        let text: string;
        if (typeof outcome.result === 'string') text = outcome.result.replace(/\n$/, '');
        else {
          // One line per target while it fits the terminal (or 160 columns in a pipe), as a table reads.
          const room = (display.stdout.isTTY ? (display.stdout.columns ?? 80) : 160) - display.prefixWidth;
          const plain = inspect(outcome.result, { depth: 6, breakLength: Infinity });
          text = plain.length <= room ? inspect(outcome.result, { colors, depth: 6, breakLength: Infinity }) : inspect(outcome.result, { colors, depth: 6, breakLength: room });
        }
        display.lines(display.stdout, outcome.target.name, text);
      },
      describe: (outcome) => (outcome.result === undefined ? '' : inspect(outcome.result, { breakLength: Infinity, depth: 2 })),
    };
  },
};

/** An argument as JSON when it parses as JSON, else the string itself. */
export function parseArgument(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
