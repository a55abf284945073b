// The base of every channel: identity, termination, the transfer/obstruct/clear events and the
// Matrix that owns it.
import { EventEmitter } from 'node:events';

/** One transfer of a channel, the argument of its `'transfer'` event. */
export interface Transfer {
  /** The bytes that crossed the kernel boundary (empty on the terminal event). */
  payload: Buffer;
  /** The channel is ready for the next buffer: an input has room to read more, an output's queue is empty. */
  demand: boolean;
  /** This is the channel's last event: end of stream, end(), an error or terminate(). */
  terminal: boolean;
}

/** @internal What a Matrix needs to know about the channels it owns. */
export interface ChannelOwner {
  adopt(channel: KChannel): void;
  forget(channel: KChannel): void;
  count(bytes: number, direction: 'in' | 'out'): void;
}

let nextId = 1;

/**
 * A channel moving bytes into or out of the kernel. Events: `'transfer'` ({@link Transfer}),
 * `'obstruct'` (back-pressure: an input's queue is full, or an output's is over its limit),
 * `'clear'` (the obstruction is gone), `'terminate'` (`(error: Error | null)`, exactly once).
 */
export abstract class KChannel extends EventEmitter {
  /** A number naming this channel in `stats` and messages. */
  readonly id = nextId++;
  /** The kernel fd, or -1 for channels that have none (mmap segments). */
  abstract readonly fd: number;
  /** Bytes transferred so far. */
  bytes = 0;
  /** Over its limit: producers (output) or the kernel reads (input) wait until `'clear'`. */
  obstructed = false;
  /** Terminated (ended, failed or terminated); no more transfers. */
  terminated = false;
  /** Why the channel terminated abnormally, or null. */
  error: Error | null = null;
  /** @internal The Matrix accounting for this channel. */
  protected owner: ChannelOwner | null = null;

  /** @internal Attaches the channel to its Matrix. */
  attach(owner: ChannelOwner): this {
    this.owner = owner;
    owner.adopt(this);
    return this;
  }

  /** Ends the channel at once, dropping what is queued, and releases its fd. Idempotent. */
  abstract terminate(error?: Error): void;

  protected transferred(payload: Buffer, demand: boolean, terminal: boolean, direction: 'in' | 'out'): void {
    if (payload.length) {
      this.bytes += payload.length;
      this.owner?.count(payload.length, direction);
    }
    if (this.listenerCount('transfer') > 0) this.emit('transfer', { payload, demand, terminal } satisfies Transfer);
  }

  protected obstruct(on: boolean): void {
    if (this.obstructed === on) return;
    this.obstructed = on;
    this.emit(on ? 'obstruct' : 'clear');
  }

  /** Marks the channel terminated once; emits the terminal transfer and `'terminate'`. */
  protected finish(error: Error | null, direction: 'in' | 'out'): boolean {
    if (this.terminated) return false;
    this.terminated = true;
    this.error = error;
    this.transferred(EMPTY, false, true, direction);
    this.owner?.forget(this);
    this.emit('terminate', error);
    return true;
  }

  /** For `describe()` in messages. */
  protected abstract describe(): string;

  override toString(): string {
    return this.describe();
  }
}

export const EMPTY: Buffer = Buffer.alloc(0);
