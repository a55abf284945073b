// The one line splitter: output that becomes log records (a local child's fds 1 and 2, a command's
// stderr and pty, the supervisor's relay and the core's reading of it) is cut into lines here.
import type { Readable } from 'node:stream';

const NEWLINE = 0x0a;
const RETURN = 0x0d;
const EMPTY = Buffer.alloc(0);

/**
 * Cuts bytes into lines at '\n' (a newline byte never occurs inside a UTF-8 character, so a line's
 * bytes decode on their own). A line goes to `onLine` without its '\n' or a '\r' before it; bytes that
 * reach `maxLine` (bytes) without a newline go as one line, so a writer that never ends its line
 * cannot grow memory.
 */
export class LineSplitter {
  readonly #maxLine: number;
  readonly #onLine: (line: Buffer) => void;
  #rest: Buffer = EMPTY;

  constructor(maxLine: number, onLine: (line: Buffer) => void) {
    this.#maxLine = maxLine;
    this.#onLine = onLine;
  }

  /** Takes the next bytes (a string, from a stream given an encoding, as its UTF-8 bytes). */
  push(chunk: Buffer | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let bytes = this.#rest.length === 0 ? data : Buffer.concat([this.#rest, data]);
    let newline: number;
    while ((newline = bytes.indexOf(NEWLINE)) >= 0) {
      this.#onLine(bytes.subarray(0, newline > 0 && bytes[newline - 1] === RETURN ? newline - 1 : newline));
      bytes = bytes.subarray(newline + 1);
    }
    if (bytes.length > this.#maxLine) {
      this.#onLine(bytes);
      bytes = EMPTY;
    }
    this.#rest = bytes;
  }

  /** The bytes after the last newline: a prompt that waits for an answer, for one. */
  get partial(): Buffer {
    return this.#rest;
  }

  /** Forgets the partial line (it was handled as a prompt). */
  dropPartial(): void {
    this.#rest = EMPTY;
  }

  /** The input ended: hands over the partial line, if any. */
  end(): void {
    if (this.#rest.length > 0) this.#onLine(this.#rest);
    this.#rest = EMPTY;
  }
}

/**
 * Reads `readable` as lines (see LineSplitter) until it ends. When `onLine` returns a promise (whoever
 * takes the lines is backed up), reading pauses until it settles, so the writer waits instead of this
 * process queueing its output.
 */
export function readLines(readable: Readable, maxLine: number, onLine: (line: Buffer) => Promise<void> | undefined): void {
  let paused = false;
  const lines = new LineSplitter(maxLine, (line) => {
    const wait = onLine(line);
    if (wait === undefined || paused) return;
    paused = true;
    readable.pause();
    void wait.then(() => {
      paused = false;
      readable.resume();
    });
  });
  readable.on('data', (chunk: Buffer | string) => lines.push(chunk));
  readable.on('end', () => lines.end());
}
