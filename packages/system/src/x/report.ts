// Reporting outcomes: one JSON object per target per line with --json, the summary table otherwise.
import { inspect } from 'node:util';
import { type Display, formatDuration } from './display.js';
import type { Outcome } from './runner.js';

/**
 * The JSON line of one target: `target`, `ok`, `result` or `error`, `attempts` (connections tried),
 * `duration` in milliseconds. `stacks`: errors carry their `stack` (--verbose).
 */
export function jsonLine(outcome: Outcome, extra: Record<string, unknown> = {}, stacks = false): string {
  const line: Record<string, unknown> = { target: outcome.target.name, ok: outcome.status === 'ok' };
  if (outcome.status === 'ok') line['result'] = outcome.result === undefined ? null : outcome.result;
  else line['error'] = errorJson(outcome.error, stacks);
  Object.assign(line, extra);
  line['attempts'] = outcome.attempts;
  line['duration'] = Math.round(outcome.durationMs * 1000) / 1000;
  return `${JSON.stringify(line, replacer)}\n`;
}

/** How deep a chain of causes is followed, in --json and on the terminal. */
const maxCauseDepth = 8;

/**
 * An error as JSON: `name`, `code` (`ERR_X_UNKNOWN` when it has none), `message`, every own enumerable
 * field that JSON can carry (objects too: a field that cannot be serialized is left out), `cause` as
 * an error of its own (up to {@link maxCauseDepth} deep), and with `stack` set, its stack.
 */
export function errorJson(error: unknown, stack = false, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: 'Error', code: 'ERR_X_UNKNOWN', message: inspect(error, { breakLength: Infinity }) };
  const json: Record<string, unknown> = { name: error.name, code: codeOf(error), message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'stack' && key !== 'cause' && key !== 'name' && key !== 'message' && serializes(value)) json[key] = value;
  }
  if (typeof json['code'] !== 'string' && typeof json['code'] !== 'number') json['code'] = 'ERR_X_UNKNOWN';
  if (stack && error.stack !== undefined) json['stack'] = error.stack;
  if (error.cause !== undefined && depth < maxCauseDepth) {
    json['cause'] = error.cause instanceof Error ? errorJson(error.cause, stack, depth + 1) : serializes(error.cause) ? error.cause : inspect(error.cause);
  }
  return json;
}

function serializes(value: unknown): boolean {
  try {
    return JSON.stringify(value, replacer) !== undefined;
  } catch {
    // A cycle, or a toJSON that throws.
    return false;
  }
}

/** An error's `code` when it has a string one, else `ERR_X_UNKNOWN`. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'ERR_X_UNKNOWN';
}

// JSON has no BigInt, Map or Set: give them their nearest JSON shape rather than failing the line.
// An error inside a value is its name, code and message (its own fields could hold the value again).
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (value instanceof Error) return { name: value.name, code: codeOf(value), message: value.message };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !Buffer.isBuffer(value)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** `TypeError: bad type here`, `EofError ERR_X_REMOTE_EOF: …`: the error's class, its code when it has one, and `text`. */
function headline(error: Error, text: string): string {
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' || typeof code === 'number' ? ` ${code}` : ''}: ${text}`;
}

/**
 * One line for the summary table: the error's class and code, then its real cause: what the
 * connecting command said last (ssh's `Connection refused`, `Permission denied (publickey).`)
 * when it said anything, else the message's first line.
 */
export function errorSummary(error: unknown): string {
  if (!(error instanceof Error)) return inspect(error, { breakLength: Infinity });
  const { stderrTail } = error as { stderrTail?: unknown };
  const said = typeof stderrTail === 'string' ? stderrTail.split('\n').findLast((line) => line.trim() !== '') : undefined;
  return headline(error, said?.trim() ?? error.message.split('\n')[0]!);
}

/**
 * A failure in full: class, code and message; with `verbose`, its stack (a RemoteError's is the
 * context's), its own fields and its causes, as Node shows an error.
 */
export function describeError(error: unknown, verbose = false): string {
  if (!(error instanceof Error)) return inspect(error, { breakLength: Infinity });
  if (!verbose) return headline(error, error.message);
  const full = inspect(error, { depth: maxCauseDepth, breakLength: 120 });
  // Node heads the stack with the class the error arrived as (a RemoteError's), not the name it
  // carries: head it as the summary does, so that the two agree.
  const frames = full.search(/\n {4}at /);
  return frames === -1 ? full : `${headline(error, error.message)}${full.slice(frames)}`;
}

/**
 * Writes the summary table (target, status, retries when any target was retried, time, result or
 * error) and the closing line to stderr. `describe` gives the result column of a target that succeeded.
 */
export function writeSummary(display: Display, outcomes: Outcome[], describe: (outcome: Outcome) => string): void {
  const stream = display.stderr;
  const retried = outcomes.some((outcome) => outcome.attempts > 1);
  const rows = outcomes.map((outcome) => [
    outcome.target.name,
    outcome.status,
    ...(retried ? [String(retriesOf(outcome))] : []),
    formatDuration(outcome.durationMs),
    outcome.status === 'ok' ? describe(outcome) : errorSummary(outcome.error),
  ]);
  const header = ['TARGET', 'STATUS', ...(retried ? ['RETRIES'] : []), 'TIME', 'RESULT'];
  const last = header.length - 1;
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const columns = stream.isTTY ? (stream.columns ?? 120) : Infinity;
  const format = (row: string[], styled: boolean) => {
    const cells = row.slice(0, last).map((cell, column) => cell.padEnd(widths[column]!));
    if (styled) cells[1] = display.style(stream, row[1] === 'ok' ? 'green' : 'red', cells[1]!);
    const used = widths.slice(0, last).reduce((sum, width) => sum + width + 2, 0);
    const text = row[last]!.length > columns - used ? `${row[last]!.slice(0, Math.max(10, columns - used - 1))}…` : row[last]!;
    return `${cells.join('  ')}  ${text}`.trimEnd();
  };
  let text = `${display.style(stream, 'bold', format(header, false))}\n`;
  for (const row of rows) text += `${format(row, true)}\n`;
  display.write(stream, text);
  writeClosingLine(display, outcomes);
}

function retriesOf(outcome: Outcome): number {
  return Math.max(0, outcome.attempts - 1);
}

/** `4 of 4 targets succeeded in 1.2 s`, `… after 3 connection retries`, `…; not ok: a, b (timeout)`. */
export function writeClosingLine(display: Display, outcomes: Outcome[]): void {
  const ok = outcomes.filter((outcome) => outcome.status === 'ok').length;
  const failed = outcomes.filter((outcome) => outcome.status !== 'ok');
  const retries = outcomes.reduce((sum, outcome) => sum + retriesOf(outcome), 0);
  let line = `${ok} of ${outcomes.length} target${outcomes.length === 1 ? '' : 's'} succeeded in ${formatDuration(display.elapsedMs)}`;
  if (retries) line += ` after ${retries} connection retr${retries === 1 ? 'y' : 'ies'}`;
  if (failed.length) {
    const names = failed.slice(0, 20).map((outcome) => (outcome.status === 'failed' ? outcome.target.name : `${outcome.target.name} (${outcome.status})`));
    line += `; not ok: ${names.join(', ')}${failed.length > 20 ? `, and ${failed.length - 20} more` : ''}`;
  }
  display.write(display.stderr, `${display.style(display.stderr, failed.length ? 'red' : 'green', line)}\n`);
}
