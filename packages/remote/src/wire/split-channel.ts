import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/**
 * One channel made of two one-way streams (a remote's stdout to read, its stdin to write), shaped as
 * the socket a router stream expects. Over ssh, sudo and su only stdin and stdout exist, so frames
 * travel on the pair. Events of either side end the channel once.
 */
export class SplitChannel extends EventEmitter {
  readonly #input: Readable;
  readonly #output: Writable;

  constructor(input: Readable, output: Writable) {
    super();
    this.#input = input;
    this.#output = output;
    input.on('data', (chunk: Buffer) => this.emit('data', chunk));
    input.on('end', () => this.emit('end'));
    input.on('close', () => this.emit('close'));
    input.on('error', (error: Error) => this.emit('error', error));
    // A write to a gone reader (EPIPE) is the channel ending: the read side reports it too.
    output.on('error', (error: Error) => this.emit('error', error));
    output.on('drain', () => this.emit('drain'));
    if (input.readableFlowing === false || input.isPaused()) input.resume();
  }

  /** This object, typed as the socket the router's Stream takes (it uses only the members below). */
  asSocket(): Socket {
    return this as unknown as Socket;
  }

  /** Bytes written and not yet handed to the kernel: file transfers wait on it (with 'drain') to let calls pass. */
  get writableLength(): number {
    return this.#output.writableLength;
  }

  /** Stops reading (the router's queue toward where these frames go is backed up); 'data' stops until `resume()`. */
  pause(): this {
    this.#input.pause();
    return this;
  }

  resume(): this {
    this.#input.resume();
    return this;
  }

  write(chunk: Buffer): boolean {
    return this.#output.write(chunk);
  }

  cork(): void {
    this.#output.cork();
  }

  uncork(): void {
    this.#output.uncork();
  }

  end(): void {
    this.#output.end();
  }

  destroy(): void {
    this.#input.destroy();
    this.#output.destroy();
  }
}
