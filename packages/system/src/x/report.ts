// Reporting outcomes: one JSON object per target per line with --json, the summary table otherwise.
import { inspect } from 'node:util';
import { type Display, formatDuration } from './display.js';
import type { Outcome } from './runner.js';

/** The JSON line of one target: `target`, `ok`, `result` or `error` (with `code`), `duration` in milliseconds. */
export function jsonLine(outcome: Outcome, extra: Record<string, unknown> = {}): string {
  const line: Record<string, unknown> = { target: outcome.target.name, ok: outcome.status === 'ok' };
  if (outcome.status === 'ok') line['result'] = outcome.result === undefined ? null : outcome.result;
  else line['error'] = errorJson(outcome.error);
  Object.assign(line, extra);
  line['duration'] = Math.round(outcome.durationMs * 1000) / 1000;
  return `${JSON.stringify(line, replacer)}\n`;
}

/** An error as JSON: name, code, message and its own plain fields (exitCode, signal, …). */
export function errorJson(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { name: 'Error', code: 'ERR_X_UNKNOWN', message: String(error) };
  const json: Record<string, unknown> = { name: error.name, code: codeOf(error), message: error.message };
  for (const [key, value] of Object.entries(error)) {
    if (key !== 'stack' && key !== 'cause' && (value === null || ['string', 'number', 'boolean'].includes(typeof value))) json[key] = value;
  }
  return json;
}

export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'ERR_X_UNKNOWN';
}

// JSON has no BigInt, Map or Set: give them their nearest JSON shape rather than failing the line.
function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (value instanceof Error) return errorJson(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView) && !Buffer.isBuffer(value)) return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/** A description of a failure with its code; `oneLine` keeps only the message's first line (for the table). */
export function describeError(error: unknown, oneLine = false): string {
  if (!(error instanceof Error)) return inspect(error, { breakLength: Infinity });
  const message = oneLine ? error.message.split('\n')[0]! : error.message;
  return `${message} [${codeOf(error)}]`;
}

/**
 * Writes the summary table (target, status, time, result or error) and the closing line to stderr.
 * `describe` gives the result column of a target that succeeded.
 */
export function writeSummary(display: Display, outcomes: Outcome[], describe: (outcome: Outcome) => string): void {
  const stream = display.stderr;
  const rows = outcomes.map((outcome) => [
    outcome.target.name,
    outcome.status,
    formatDuration(outcome.durationMs),
    outcome.status === 'ok' ? describe(outcome) : describeError(outcome.error, true),
  ]);
  const header = ['TARGET', 'STATUS', 'TIME', 'RESULT'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const columns = stream.isTTY ? (stream.columns ?? 120) : Infinity;
  const format = (row: string[], styled: boolean) => {
    const cells = row.slice(0, 3).map((cell, column) => cell.padEnd(widths[column]!));
    if (styled) cells[1] = display.style(stream, row[1] === 'ok' ? 'green' : 'red', cells[1]!);
    const used = widths.slice(0, 3).reduce((sum, width) => sum + width + 2, 0);
    const last = row[3]!.length > columns - used ? `${row[3]!.slice(0, Math.max(10, columns - used - 1))}…` : row[3]!;
    return `${cells.join('  ')}  ${last}`.trimEnd();
  };
  let text = `${display.style(stream, 'bold', format(header, false))}\n`;
  for (const row of rows) text += `${format(row, row !== undefined)}\n`;
  display.write(stream, text);
  writeClosingLine(display, outcomes);
}

/** `4 of 4 targets succeeded in 1.2 s` or `… failed: a, b (timeout: c)`. */
export function writeClosingLine(display: Display, outcomes: Outcome[]): void {
  const ok = outcomes.filter((outcome) => outcome.status === 'ok').length;
  const failed = outcomes.filter((outcome) => outcome.status !== 'ok');
  let line = `${ok} of ${outcomes.length} target${outcomes.length === 1 ? '' : 's'} succeeded in ${formatDuration(display.elapsedMs)}`;
  if (failed.length) {
    const names = failed.slice(0, 20).map((outcome) => (outcome.status === 'failed' ? outcome.target.name : `${outcome.target.name} (${outcome.status})`));
    line += `; not ok: ${names.join(', ')}${failed.length > 20 ? `, and ${failed.length - 20} more` : ''}`;
  }
  display.write(display.stderr, `${display.style(display.stderr, failed.length ? 'red' : 'green', line)}\n`);
}
