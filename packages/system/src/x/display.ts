// What x writes: results and prefixed output lines, failures, a live progress line on a terminal, and
// the summary table. Colors and the progress line only where the stream is a terminal that has colors
// (Node's hasColors() honours NO_COLOR and FORCE_COLOR); in a pipe or with --json, plain text.
import type { WriteStream } from 'node:tty';
import { styleText } from 'node:util';

type Style = Extract<Parameters<typeof styleText>[0], string>;

const palette: Style[] = ['cyan', 'green', 'yellow', 'blue', 'magenta', 'cyanBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright'];

export interface DisplayOptions {
  json: boolean;
  quiet: boolean;
  /** -v: failures in full (stack, fields, causes), on the terminal and in --json. */
  verbose?: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
}

export interface Counts {
  total: number;
  done: number;
  running: number;
  failed: number;
}

/** Writes x's output to stdout and stderr, keeping the progress line (on stderr) out of the way. */
export class Display {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly counts: Counts = { total: 0, done: 0, running: 0, failed: 0 };
  #live: boolean;
  #label = '';
  #shown = false;
  #started = 0;
  #timer: NodeJS.Timeout | undefined;
  #prefixWidth = 0;
  /** Bytes moved so far, for commands that move them (copy); undefined: the line shows none. */
  #bytes: number | undefined;

  constructor(options: DisplayOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.verbose = options.verbose ?? false;
    this.stdout = options.stdout ?? process.stdout;
    this.stderr = options.stderr ?? process.stderr;
    this.#live = !this.json && !this.quiet && this.stderr.isTTY === true;
  }

  /** Whether `stream` gets escape codes. */
  colors(stream: NodeJS.WriteStream): boolean {
    return !this.json && stream.isTTY === true && (stream as WriteStream).hasColors?.() === true;
  }

  style(stream: NodeJS.WriteStream, style: Style | Style[], text: string): string {
    return this.colors(stream) ? styleText(style, text) : text;
  }

  /** Starts the progress line for `total` targets whose names are at most `nameWidth` wide. */
  start(label: string, total: number, nameWidth: number): void {
    this.#label = label;
    this.counts.total = total;
    this.#prefixWidth = nameWidth;
    this.#started = performance.now();
    if (this.#live) {
      this.#timer = setInterval(() => this.#draw(), 100);
      this.#timer.unref();
      this.#draw();
    }
  }

  update(): void {
    if (this.#live) this.#draw();
  }

  /** Counts `delta` more bytes moved; the first count draws at once, later ones with the next tick. */
  addBytes(delta: number): void {
    const first = this.#bytes === undefined;
    this.#bytes = (this.#bytes ?? 0) + delta;
    if (first) this.update();
  }

  /** Ends the progress line; anything written after stays plain. */
  finish(): void {
    clearInterval(this.#timer);
    this.#clear();
    this.#live = false;
  }

  /** The width of the `name | ` prefix of output lines. */
  get prefixWidth(): number {
    return this.#prefixWidth + 3;
  }

  /** Elapsed time since start(), in milliseconds. */
  get elapsedMs(): number {
    return performance.now() - this.#started;
  }

  /** Writes `text` (whole lines) to `stream`, around the progress line. */
  write(stream: NodeJS.WriteStream, text: string): void {
    this.#clear();
    stream.write(text);
    if (this.#live) this.#draw();
  }

  /** Writes each line of `text` to `stream` prefixed with the target's name (colored on a terminal). */
  lines(stream: NodeJS.WriteStream, name: string, text: string): void {
    const prefix = `${this.style(stream, colorOf(name), name.padEnd(this.#prefixWidth))} | `;
    this.write(stream, text.split('\n').map((line) => `${prefix}${line}\n`).join(''));
  }

  #clear(): void {
    if (!this.#shown) return;
    (this.stderr as WriteStream).clearLine?.(0);
    (this.stderr as WriteStream).cursorTo?.(0);
    this.#shown = false;
  }

  #draw(): void {
    const { total, done, running, failed } = this.counts;
    const failures = failed ? this.style(this.stderr, 'red', `, ${failed} failed`) : '';
    const elapsed = this.elapsedMs;
    const moved = this.#bytes === undefined ? '' : `, ${formatBytes(this.#bytes)} copied (${formatBytes(Math.round((this.#bytes * 1000) / Math.max(elapsed, 1)))}/s)`;
    let line = `${this.#label}: ${done} done${failures}, ${running} running of ${total}, ${formatDuration(elapsed)}${moved}`;
    const columns = this.stderr.columns ?? 80;
    if (!failed && line.length >= columns) line = `${line.slice(0, columns - 2)}…`;
    (this.stderr as WriteStream).cursorTo?.(0);
    this.stderr.write(line);
    (this.stderr as WriteStream).clearLine?.(1);
    this.#shown = true;
  }
}

/** A stable color per target name, so a target's lines are told apart from its neighbours'. */
export function colorOf(name: string): Style {
  let hash = 0;
  for (let k = 0; k < name.length; k++) hash = (hash * 31 + name.charCodeAt(k)) >>> 0;
  return palette[hash % palette.length]!;
}

/** `850 ms`, `1.2 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** `512 B`, `12.0 KiB`, `3.4 MiB`, `1.2 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
