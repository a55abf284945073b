// Log records: a context's console output and fds 1 and 2 travel up to the root as FORWARD_LOG frames;
// the root hands them to its listeners.
import { performance } from 'node:perf_hooks';
import { ENCODING_RAW, type Frame } from '../wire/frame.js';
import { type WireLog, decodeLog, encodeLog } from '../wire/log-wire.js';
import { BACKED_UP, type Stream } from '../wire/stream.js';
import { FORWARD_LOG, LOG_LEVELS, type LogLevel, ROOT_ID } from '../routing/handles.js';
import type { CallHost } from './call-host.js';
import type { Context } from './context.js';

/** Bytes waiting toward the parent past which a context drops log records (counting them) instead of queueing more. */
const LOG_DROP_AT = 2 * BACKED_UP;

/** One line of output from a context. */
export interface LogRecord {
  /** The context that wrote it. */
  context: Context;
  /** Where it was written: `console.*`, or the context's fd 1 / fd 2 (anything its children wrote too). */
  stream: 'stdout' | 'stderr' | 'console';
  level: Exclude<LogLevel, 'silent'>;
  /** The text, without the trailing newline. */
  text: string;
  /** When it was written, in milliseconds since the epoch (`performance.timeOrigin + performance.now()`). */
  time: number;
}

/** A log record as a producer hands it over: the context by id, and the time if it knows it better. */
export interface LogInput {
  contextId: number;
  stream: LogRecord['stream'];
  level: LogRecord['level'];
  text: string;
  time?: number;
}

/** Forwards log records toward the root, and at the root hands them to `deliver`. */
export class LogForwarder {
  readonly #host: CallHost;
  readonly #level: LogLevel;
  readonly #deliver: (record: LogRecord) => void;
  /** Log records a context dropped since it last said so (its parent stream was backed up past LOG_DROP_AT). */
  #droppedLogs = 0;
  /** Whether a "records dropped" notice waits for the parent stream to drain. */
  #dropNoticeDue = false;

  constructor(host: CallHost, level: LogLevel, deliver: (record: LogRecord) => void) {
    this.#host = host;
    this.#level = level;
    this.#deliver = deliver;
    host.addHandler(FORWARD_LOG, { kind: 'forward-log', persist: true, fn: (frame) => this.#onForwardLog(frame) });
  }

  /**
   * Hands a log record to the root (contexts) or to the listeners (the root). A context whose stream
   * to its parent holds LOG_DROP_AT bytes already drops the record and counts it (a console.log in a
   * tight loop cannot be made to wait), then says how many it dropped once the stream drains; pass
   * `droppable: false` from a producer that pauses on `wait()` instead, so nothing it read is lost.
   */
  emit(record: LogInput, droppable = true): void {
    const time = record.time ?? performance.timeOrigin + performance.now();
    const host = this.#host;
    if (host.id === ROOT_ID) {
      this.#deliver({ context: host.contextFor(record.contextId, host.contextName(record.contextId)), stream: record.stream, level: record.level, text: record.text, time });
      return;
    }
    const stream = host.parentStream;
    if (droppable && stream !== undefined && stream.queued >= LOG_DROP_AT) {
      this.#droppedLogs++;
      if (!this.#dropNoticeDue) {
        this.#dropNoticeDue = true;
        void stream.drained().then(() => this.#reportDroppedLogs());
      }
      return;
    }
    if (this.#droppedLogs > 0) this.#reportDroppedLogs();
    this.#forwardLog({ contextId: record.contextId, stream: record.stream, level: record.level, text: record.text, time });
  }

  /**
   * A promise to wait on before reading more output to turn into log records, or undefined while
   * records flow: the relays of fds 1 and 2 pause on it, so a flooding writer is slowed, not dropped.
   */
  wait(): Promise<void> | undefined {
    const stream = this.#host.parentStream;
    return stream?.backedUp === true ? stream.drained() : undefined;
  }

  /** Whether console output at `level` is shipped at all. */
  ships(level: LogRecord['level']): boolean {
    return LOG_LEVELS[level] >= LOG_LEVELS[this.#level];
  }

  #reportDroppedLogs(): void {
    this.#dropNoticeDue = false;
    const count = this.#droppedLogs;
    if (count === 0) return;
    this.#droppedLogs = 0;
    const text = `${count} log record${count === 1 ? '' : 's'} dropped: ${this.#host.name} wrote them faster than its parent could take them`;
    this.#forwardLog({ contextId: this.#host.id, stream: 'console', level: 'warn', text, time: performance.timeOrigin + performance.now() });
  }

  #forwardLog(record: WireLog): void {
    try {
      this.#host.sendPayload(ROOT_ID, FORWARD_LOG, 0, ENCODING_RAW, encodeLog(record));
    } catch {
      // No way up, or a record over maxMessageSize: the context is ending, or the text cannot travel.
    }
  }

  #onForwardLog(frame: Frame): void {
    if (frame.encoding !== ENCODING_RAW) return;
    const record = decodeLog(frame.payload);
    // A record speaks for its sender, or for a child of the sender (whose fds 1 and 2 the sender relays):
    // never for its parent, a sibling, or a context elsewhere.
    if (record === undefined || (record.contextId !== frame.src && !this.#host.startedBy(record.contextId, frame.src))) return;
    this.emit(record);
  }
}
