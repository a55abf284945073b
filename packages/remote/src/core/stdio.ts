// How a context gets its channel when the process that started it gave it only stdin and stdout (ssh,
// sudo, su, container exec). The process the command started becomes a supervisor: it starts the core
// again as its child, hands it its own stdin and stdout as fds 3 and 4 for the frames, and relays the
// child's fds 1 and 2 (user output, anything the child's children print) to it as records on the
// child's stdin, which the core turns into log records. User output therefore never touches the
// channel, and no native code is needed on the remote.
import { spawn } from 'node:child_process';
import { fstatSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { readLines } from '../wire/lines.js';
import { READY_MARKER, SEND_CORE_MARKER, SPLIT_ARG } from '../wire/markers.js';
import { SplitChannel } from '../wire/split-channel.js';

export type ChannelMode = 'local' | 'supervise' | 'split';

const TAIL_BYTES = 4096;
const MAX_LINE = 64 * 1024;
const NEWLINE = Buffer.from('\n');

/**
 * `local`: a parent on this machine gave the channel as a socket on fd 3. `split`: a supervisor
 * started this process with the channel on fds 3 and 4. `supervise`: only stdio exists (ssh closes
 * every fd above 2 before running the command, sudo and su do too).
 */
export function channelMode(): ChannelMode {
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

/** The channel of a supervised core: frames in on fd 3, out on fd 4, after the ready marker. */
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
