// Conversions to Node and web streams that keep the channel's back-pressure: a Readable asks the
// channel for the next buffer only when its own buffer wants more; a Writable's callback waits
// while the channel is obstructed.
import { Readable, Writable } from 'node:stream';
import type { KDuplex } from './connect.js';
import { InvalidArgumentError } from './errors.js';
import type { KOutput } from './output.js';

/** Anything a Readable can pull from: KInput, KLimit, KSegments (Buffers), KAccept (connections). */
export interface Pullable<T> {
  read?(): Promise<T | null>;
  accept?(): Promise<T | null>;
  terminate(): void;
}

function puller<T>(source: Pullable<T>): () => Promise<T | null> {
  if (typeof source?.read === 'function') return () => source.read!();
  if (typeof source?.accept === 'function') return () => source.accept!();
  throw new InvalidArgumentError('input', 'a channel with read() or accept() (KInput, KLimit, KSegments, KAccept)', source);
}

function checkOutput(output: KOutput): void {
  if (typeof output?.send !== 'function' || typeof output.end !== 'function') {
    throw new InvalidArgumentError('output', 'a KOutput channel', output);
  }
}

/**
 * A Node Readable over `input`: each `_read` takes one buffer from the channel, so a paused or slow
 * stream leaves the channel obstructed. Destroying the Readable terminates the channel.
 *
 * @example
 * import { pipeline } from 'node:stream/promises';
 * import { createWriteStream } from 'node:fs';
 * import { readFile, toReadable } from '@x/kernel-io';
 * await pipeline(toReadable(readFile('/etc/hostname')), createWriteStream('/tmp/copy'));
 */
export function toReadable(input: Pullable<Buffer>): Readable;
/** A KAccept as an object-mode Readable of connections. */
export function toReadable(input: Pullable<KDuplex>): Readable;
export function toReadable(input: Pullable<Buffer | KDuplex>): Readable {
  const next = puller(input);
  const objectMode = typeof input.read !== 'function';
  return new Readable({
    highWaterMark: 1,
    objectMode,
    read(): void {
      next().then(
        (payload) => this.push(payload),
        (error: Error) => this.destroy(error),
      );
    },
    destroy(error, callback): void {
      input.terminate();
      callback(error);
    },
  });
}

/**
 * A Node Writable into `output`: the write callback runs once the channel is not obstructed, and
 * `end()` of the stream ends the channel (a socket's write side shuts down). Destroying the Writable
 * terminates the channel.
 *
 * @example
 * import { pipeline } from 'node:stream/promises';
 * import { createReadStream } from 'node:fs';
 * import { writeFile, toWritable } from '@x/kernel-io';
 * await pipeline(createReadStream('/etc/hostname'), toWritable(writeFile('/tmp/copy')));
 */
export function toWritable(output: KOutput): Writable {
  checkOutput(output);
  return new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, callback): void {
      output.send(chunk).then(() => callback(), callback);
    },
    writev(chunks, callback): void {
      try {
        for (const { chunk } of chunks) output.write(chunk as Buffer);
      } catch (error) {
        callback(error as Error);
        return;
      }
      output.ready().then(() => callback(), callback);
    },
    final(callback): void {
      output.end().then(() => callback(), callback);
    },
    destroy(error, callback): void {
      if (error) output.terminate(error);
      else if (!output.terminated) output.terminate();
      callback(error);
    },
  });
}

/**
 * A web ReadableStream (bytes as Uint8Array) over `input`; `pull` takes one buffer at a time, so the
 * stream's queue (one chunk) is the only read-ahead beyond the channel's own. Cancelling terminates the channel.
 *
 * @example
 * import { readFile, toReadableStream } from '@x/kernel-io';
 * for await (const chunk of toReadableStream(readFile('/etc/hostname'))) console.log(chunk.length);
 */
export function toReadableStream(input: Pullable<Buffer>): ReadableStream<Uint8Array>;
/** A KAccept as a web ReadableStream of connections. */
export function toReadableStream(input: Pullable<KDuplex>): ReadableStream<KDuplex>;
export function toReadableStream(input: Pullable<Buffer | KDuplex>): ReadableStream<Uint8Array | KDuplex> {
  const next = puller(input);
  return new ReadableStream<Uint8Array | KDuplex>(
    {
      async pull(controller): Promise<void> {
        const payload = await next();
        if (payload === null) controller.close();
        else controller.enqueue(payload);
      },
      cancel(): void {
        input.terminate();
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * A web WritableStream into `output`: each write resolves once the channel is not obstructed;
 * `close()` ends the channel, `abort()` terminates it.
 *
 * @example
 * import { writeFile, toWritableStream } from '@x/kernel-io';
 * const writer = toWritableStream(writeFile('/tmp/out')).getWriter();
 * await writer.write(new TextEncoder().encode('hi'));
 * await writer.close();
 */
export function toWritableStream(output: KOutput): WritableStream<Uint8Array | string> {
  checkOutput(output);
  return new WritableStream<Uint8Array | string>(
    {
      write(chunk): Promise<void> {
        return output.send(chunk);
      },
      close(): Promise<void> {
        return output.end();
      },
      abort(reason): void {
        output.terminate(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 1 },
  );
}
