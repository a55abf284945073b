// How a context gets its channel when the process that started it gave it only stdin and stdout, so
// that user output never touches the channel, with no native code on the remote. Over ssh, sudo and su
// the command runs under /bin/sh, which moves stdin and stdout to fds 3 and 4 and points fds 1 and 2 at
// stderr before it execs Node: one process, whose process.stdout and process.stderr become log records
// in-process, while raw writes to fds 1 and 2 (its children's too) arrive on the command's stderr.
// Container exec (where there may be no shell): the process the command started becomes a supervisor:
// it starts the core again as its child, hands it its own stdin and stdout as fds 3 and 4 for the
// frames, and relays the child's fds 1 and 2 to it as records on the child's stdin, which the core
// turns into log records.
import { spawn } from 'node:child_process';
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { LineSplitter, readLines } from '../wire/lines.js';
import { READY_MARKER, REDIRECTED_ARG, SEND_CORE_MARKER, SPLIT_ARG } from '../wire/markers.js';
import { SplitChannel } from '../wire/split-channel.js';

export type ChannelMode = 'local' | 'supervise' | 'split' | 'redirected';

const TAIL_BYTES = 4096;
const MAX_LINE = 64 * 1024;
const NEWLINE = Buffer.from('\n');

/**
 * `local`: a parent on this machine gave the channel as a socket on fd 3. `redirected`: the shell that
 * ran this process moved the channel to fds 3 and 4 and fds 1 and 2 to stderr (ssh, sudo, su).
 * `split`: a supervisor started this process with the channel on fds 3 and 4. `supervise`: only stdio
 * exists and no shell moved it (docker and kubectl exec, where a container may have no /bin/sh).
 */
export function channelMode(): ChannelMode {
  if (process.argv.includes(REDIRECTED_ARG)) return 'redirected';
  if (process.argv.includes(SPLIT_ARG)) return 'split';
  try {
    return fstatSync(3).isSocket() ? 'local' : 'supervise';
  } catch {
    return 'supervise';
  }
}

/** Starts the core as a child with the channel on fds 3/4 and relays its output; exits with it. */
export function supervise(name: string, core: Buffer): void {
  process.title = `node (x:${name}:supervisor)`;
  const child = spawn(process.execPath, [...process.execArgv, name, String(core.length), SPLIT_ARG], {
    stdio: ['pipe', 'pipe', 'pipe', 0, 1],
    // Its own group, so that a context whose parent is gone can kill everything it started at once.
    detached: true,
  });
  const input = child.stdin!;
  input.on('error', () => {});
  input.write(core);
  let tail: Buffer = Buffer.alloc(0);
  // While the core reads its records slower than they come, stop reading its fds 1 and 2: whoever
  // writes there then blocks, instead of this process queueing without bound.
  const readables = [child.stdout!, child.stderr!];
  let held = false;
  const hold = (): void => {
    if (held) return;
    held = true;
    for (const readable of readables) readable.pause();
    input.once('drain', () => {
      held = false;
      for (const readable of readables) readable.resume();
    });
  };
  const write = (record: Buffer): void => {
    if (!input.write(record)) hold();
  };
  // One record per line: '1' or '2' (the fd), the line's bytes, '\n'.
  const relay = (fd: string, readable: Readable): void => {
    const prefix = Buffer.from(fd);
    readLines(readable, MAX_LINE, (line) => {
      write(Buffer.concat([prefix, line, NEWLINE]));
      return undefined;
    });
  };
  readables[1]!.on('data', (chunk: Buffer) => {
    tail = Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
  });
  relay('1', readables[0]!);
  relay('2', readables[1]!);
  const stop = (): void => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    process.exit(1);
  };
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(signal, stop);
  child.on('exit', (code) => {
    // The core's own last words (a crash before its channel was up) go where the parent reads errors.
    if (code !== 0 && tail.length > 0) writeSync(2, tail);
    process.exit(code ?? 1);
  });
}

/** The channel of a supervised or redirected core: frames in on fd 3, out on fd 4, after the ready marker. */
export function splitChannel(): Socket {
  writeSync(4, READY_MARKER);
  return new SplitChannel(new Socket({ fd: 3, readable: true, writable: false }), new Socket({ fd: 4, readable: false, writable: true })).asSocket();
}

/**
 * Reads the supervisor's records on fd 0 as lines of fd 1 or 2; `onEnd` when the supervisor is gone.
 * When `onLine` returns a promise (the channel is backed up), reading stops until it settles: the
 * supervisor's writes then block, it stops reading the pipes, and whoever floods fd 1 or 2 waits.
 */
export function readRelay(onLine: (stream: 'stdout' | 'stderr', text: string) => Promise<void> | undefined, onEnd: () => void): void {
  const stdin = new Socket({ fd: 0, readable: true, writable: false });
  stdin.on('error', onEnd);
  stdin.on('end', onEnd);
  // A record is at most a relayed line (MAX_LINE) and its fd byte: nothing the supervisor writes is cut.
  readLines(stdin, 2 * MAX_LINE, (record) => {
    const text = record.toString('utf8', 1);
    // The first stage of this very process announced itself on its fd 1: not user output.
    if (text.startsWith(SEND_CORE_MARKER)) return undefined;
    return onLine(record[0] === 0x31 ? 'stdout' : 'stderr', text);
  });
}

/**
 * A redirected core's process.stdout and process.stderr: fds 1 and 2 lead to the command's stderr, so
 * their writes become log records under their own stream names here instead, cut into lines as the
 * parent would cut a pipe. Like console records, they are dropped and counted past a backed-up channel
 * (`emit` does so); a writer that honours `write()`'s result waits instead.
 */
export function captureStdio(emit: (stream: 'stdout' | 'stderr', text: string) => void, wait: () => Promise<void> | undefined): void {
  for (const [name, writable] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    const lines = new LineSplitter(MAX_LINE, (line) => emit(name, line.toString('utf8')));
    writable.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean => {
      // A copy: the writer may reuse its buffer once write() returns, and a partial line stays until its newline.
      lines.push(typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : Buffer.from(chunk));
      const done = typeof encoding === 'function' ? encoding : callback;
      const backedUp = wait();
      if (backedUp === undefined) {
        if (done !== undefined) queueMicrotask(() => done(null));
        return true;
      }
      void backedUp.then(() => {
        done?.(null);
        writable.emit('drain');
      });
      return false;
    }) as typeof writable.write;
  }
}
