import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApplySummary, Diff, ResourceEvent } from '@x/ops';
import { onExit } from '@x/signals';
import type { ApplyTaskOptions } from '../../apply-task.js';
import type { Command } from '../command.js';
import { type Display, formatDuration } from '../display.js';
import { UsageError } from '../errors.js';
import { checkModule } from '../module-check.js';
import { errorSummary, writeClosingLine } from '../report.js';
import type { Outcome } from '../runner.js';
import { typecheckSite } from '../site-typecheck.js';

const usage = 'x apply --on TARGETS [OPTIONS] SITE[#EXPORT]';

// Built next to this module as dist/apply-task.js; it travels with the entry module that imports the site.
const applyTask = new URL('./apply-task.js', import.meta.url);

/** `x apply`: run a site of @x/ops resources in every target's context, one call per target. */
export const apply: Command = {
  name: 'apply',
  summary: 'apply a site of @x/ops resources on every target: only what differs changes; check mode, diffs, a recap',
  usage,
  restAfterFirst: false,
  options: { check: { type: 'boolean' }, diff: { type: 'boolean' }, 'no-typecheck': { type: 'boolean' } },
  help: `Runs SITE's default export (or EXPORT), an async function that calls @x/ops's resources (file,
directory, line, block, command, user, group, pkg, service...), inside a Node context on every
target: the whole site runs there in one call, each resource reading the state where it is and
changing only what differs. Each resource's line is printed as it completes (ok, changed or failed,
with what it did); a failing resource stops that target's site, with the error and the site's line,
while the other targets go on. The recap then counts ok, changed and failed resources per target.

Before any target is contacted, SITE is checked: it exists, its imports resolve and the export is a
function; where the package typescript resolves from SITE's directory, SITE is typechecked too (with
the nearest tsconfig.json, else strict defaults), so wrong resource options stop x with status 2.
A passed typecheck is cached (in $XDG_CACHE_HOME/x or ~/.cache/x) until a file it read changes.

Its own options (before SITE):
  --check            change nothing: every resource reports what it would change
  --diff             show a unified diff of each content change (file, line, block)
  --no-typecheck     skip the typecheck of SITE (the other checks still run)

With --json: one object per resource per target as it completes (type "resource": target,
resource, name, status, changed, actions, diff, error, durationMs), then x's line per target with
summary {ok, changed, failed}.

Exit status: 0 when no resource failed and every target was reached, 1 otherwise, 2 for a usage error.

Examples:
  x apply --on local examples/site.ts
  x apply --on @web --check --diff site.ts
  x apply --on 'web1/sudo,web2/sudo' --json site.ts#database | jq 'select(.type == "resource")'`,

  async prepare(positionals, options, _display, own) {
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'apply needs SITE, a module whose default export applies resources, as in examples/site.ts.' : `apply takes one SITE, got ${positionals.length}: ${positionals.join(' ')}.`, usage);
    }
    const spec = positionals[0]!;
    const hash = spec.lastIndexOf('#');
    const [path, exportName] = hash === -1 ? [spec, 'default'] : [spec.slice(0, hash), spec.slice(hash + 1)];
    if (path === '' || exportName === '') throw new UsageError(`'${spec}' is not SITE or SITE#EXPORT, as in site.ts or site.ts#web.`, usage);
    const site = await checkModule(path, exportName, options.cwd);
    const sitePath = fileURLToPath(site);
    if (own['no-typecheck'] !== true) await typecheckSite(sitePath, options.cwd);
    const entry = writeEntry(site);
    const taskOptions: ApplyTaskOptions = { check: own['check'] === true, diff: own['diff'] === true };
    const counts = new Map<string, ApplySummary>();
    return {
      async work(context, target, session) {
        const { display } = session;
        const summary: ApplySummary = { ok: 0, changed: 0, failed: 0 };
        counts.set(target.name, summary);
        const rx = session.router.receiver<ResourceEvent>();
        let failed: ResourceEvent | undefined;
        const reading = (async () => {
          for await (const event of rx) {
            summary[event.status]++;
            if (event.status === 'failed') failed = event;
            if (options.json) display.write(display.stdout, `${JSON.stringify({ type: 'resource', target: target.name, ...event })}\n`);
            else showEvent(display, target.name, event, taskOptions.diff);
          }
        })();
        // A broken stream also fails the call, which is the error reported.
        reading.catch(() => {});
        try {
          await context.withOptions({ signal: session.signal }).call(entry, 'apply', exportName, taskOptions, rx.sender);
          await reading;
        } catch (error) {
          // The site ran and stopped: the task closed the stream before it answered, so every event is
          // in. Any other failure (no connection, a module that could not travel) may never close it.
          if (isSiteError(error) && !session.signal.aborted) {
            await reading.catch(() => {});
            // The site's own error (not a resource's) stopped it too: it counts as a failure of the site.
            if (failed === undefined) summary.failed++;
          }
          throw located(error, sitePath, options.cwd, failed);
        } finally {
          rx.close();
        }
        return summary;
      },
      modules: [entry],
      describe: (outcome) => recapCounts(outcome.result as ApplySummary),
      jsonExtra: (outcome) => ({ type: 'summary', summary: counts.get(outcome.target.name) ?? { ok: 0, changed: 0, failed: 0 } }),
      summary(display, outcomes) {
        writeRecap(display, outcomes, counts, taskOptions.check);
      },
    };
  },
};

/**
 * Writes the module x calls on each target: it imports the site and apply-task.js statically, so the
 * site's whole graph travels in the call (no round trip per module) and the site needs no module
 * roots of its own. It lives in a private temporary directory until x ends.
 */
function writeEntry(site: URL): URL {
  const directory = mkdtempSync(join(tmpdir(), 'x-apply-'));
  onExit(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'entry.mjs');
  writeFileSync(
    file,
    `import * as site from ${JSON.stringify(site.href)};\n` +
      `import { applySite } from ${JSON.stringify(applyTask.href)};\n` +
      'export function apply(exportName, options, events) {\n  return applySite(site, exportName, options, events);\n}\n',
    { mode: 0o600 },
  );
  return pathToFileURL(file);
}

/** An error the site's code threw (reached the target, ran the site), not a connection's or x's. */
function isSiteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return !(typeof code === 'string' && /^ERR_X_(REMOTE|TARGET|CANCELLED)/.test(code));
}

/**
 * The error that stopped a site, with where in the site it happened: the first frame of its stack
 * (mapped back to the site's TypeScript lines by @x/remote) in the site file, as `site.ts:7:9`, added
 * before its message and as `site` (and the failed resource as `resource`) for --json.
 */
function located(error: unknown, sitePath: string, cwd: string, failed: ResourceEvent | undefined): unknown {
  if (!(error instanceof Error) || !isSiteError(error)) return error;
  const stack = error.stack ?? '';
  const escaped = sitePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const frame = new RegExp(`(?:file://)?${escaped}(?:\\?[^:\\s)]*)?:(\\d+):(\\d+)`).exec(stack);
  const where = frame ? `${relative(cwd, sitePath) || sitePath}:${frame[1]}:${frame[2]}` : undefined;
  const fields = error as unknown as Record<string, unknown>;
  if (failed !== undefined) fields['resource'] = `${failed.resource} ${failed.name}`;
  if (where !== undefined) fields['site'] = where;
  if (where !== undefined) error.message = `${where}: ${error.message}`;
  return error;
}

/** `changed  file /srv/app/config.json  (content, mode 0640)`, then its diff under --diff. */
function showEvent(display: Display, name: string, event: ResourceEvent, diffs: boolean): void {
  const stream = display.stdout;
  const color = event.status === 'ok' ? 'green' : event.status === 'changed' ? 'yellow' : 'red';
  const actions = event.changed && event.actions.length > 0 ? `  (${event.actions.join(', ')})` : '';
  display.lines(stream, name, `${display.style(stream, color, event.status.padEnd(7))}  ${event.resource} ${event.name}${actions}`);
  if (diffs && event.diff !== undefined) {
    const text = unifiedDiff(event.diff, display, stream);
    if (text !== '') display.lines(stream, name, text);
  }
}

/** The unified diff of a content change, 3 lines of context, coloured on a terminal. */
export function unifiedDiff(diff: Diff, display: Display, stream: NodeJS.WriteStream): string {
  if (diff.before === diff.after) return '';
  // Loaded on the first diff shown: importing it costs every x command about 14 ms (20 ES modules).
  const { structuredPatch } = createRequire(import.meta.url)('diff') as typeof import('diff');
  const patch = structuredPatch(diff.path, diff.path, diff.before, diff.after, 'before', 'after', { context: 3 });
  const lines = [display.style(stream, 'bold', `--- ${diff.path} (before)`), display.style(stream, 'bold', `+++ ${diff.path} (after)`)];
  for (const hunk of patch.hunks) {
    // An empty side starts at the line before it (0 for an empty file), as diff -u and git write it.
    const start = (line: number, count: number) => `${count === 0 ? line - 1 : line},${count}`;
    lines.push(display.style(stream, 'cyan', `@@ -${start(hunk.oldStart, hunk.oldLines)} +${start(hunk.newStart, hunk.newLines)} @@`));
    for (const line of hunk.lines) {
      lines.push(line.startsWith('+') ? display.style(stream, 'green', line) : line.startsWith('-') ? display.style(stream, 'red', line) : line);
    }
  }
  return lines.join('\n');
}

function recapCounts(summary: ApplySummary | undefined): string {
  const { ok, changed, failed } = summary ?? { ok: 0, changed: 0, failed: 0 };
  return `ok=${ok}  changed=${changed}  failed=${failed}`;
}

/**
 * The recap, as Ansible's PLAY RECAP: per target, its counts of ok, changed and failed resources, the
 * time, and for a target that did not complete, why; then x's closing line.
 */
function writeRecap(display: Display, outcomes: Outcome[], counts: Map<string, ApplySummary>, check: boolean): void {
  const stream = display.stderr;
  const width = Math.max(6, ...outcomes.map((outcome) => outcome.target.name.length));
  let text = `\n${display.style(stream, 'bold', `RECAP${check ? ' (check mode: nothing was changed)' : ''}`)}\n`;
  for (const outcome of outcomes) {
    const summary = counts.get(outcome.target.name) ?? { ok: 0, changed: 0, failed: 0 };
    const cells = [
      display.style(stream, 'green', `ok=${summary.ok}`.padEnd(6)),
      display.style(stream, summary.changed ? 'yellow' : 'green', `changed=${summary.changed}`.padEnd(11)),
      display.style(stream, summary.failed ? 'red' : 'green', `failed=${summary.failed}`.padEnd(9)),
      formatDuration(outcome.durationMs).padEnd(8),
    ];
    const why = outcome.status === 'ok' ? '' : `${outcome.status}: ${errorSummary(outcome.error)}`;
    text += `${outcome.target.name.padEnd(width)}  ${cells.join('  ')}${why}`.trimEnd() + '\n';
  }
  display.write(stream, text);
  writeClosingLine(display, outcomes);
}
