// A log record as it travels up to the root (FORWARD_LOG). Not the v8 serializer: records are the most
// numerous small messages, and each v8 serialization of an array keeps about 650 bytes of native memory
// until the garbage collector frees its serializer, which a flood outruns (measured: 100k records held
// 100 MiB). A fixed layout also costs the root nothing to check, whatever a context sends.
//
// | offset | size | field                                        |
// |--------|------|----------------------------------------------|
// | 0      | 4    | the context that wrote it (big-endian)       |
// | 4      | 1    | stream: 0 stdout, 1 stderr, 2 console        |
// | 5      | 1    | level: 0 debug, 1 info, 2 warn, 3 error      |
// | 6      | 8    | time, ms since the epoch (float64, BE)       |
// | 14     | rest | the text, UTF-8                              |

export type LogStream = 'stdout' | 'stderr' | 'console';
export type LogRecordLevel = 'debug' | 'info' | 'warn' | 'error';

/** A record as the wire carries it. */
export interface WireLog {
  contextId: number;
  stream: LogStream;
  level: LogRecordLevel;
  time: number;
  text: string;
}

const STREAMS: readonly LogStream[] = ['stdout', 'stderr', 'console'];
const LEVELS: readonly LogRecordLevel[] = ['debug', 'info', 'warn', 'error'];
const HEADER = 14;

export function encodeLog(record: WireLog): Buffer {
  const length = Buffer.byteLength(record.text);
  const buffer = Buffer.allocUnsafe(HEADER + length);
  buffer.writeUInt32BE(record.contextId >>> 0, 0);
  buffer[4] = STREAMS.indexOf(record.stream);
  buffer[5] = LEVELS.indexOf(record.level);
  buffer.writeDoubleBE(record.time, 6);
  buffer.write(record.text, HEADER, 'utf8');
  return buffer;
}

/** The record in `payload`, or undefined when it is not one (too short, an unknown stream or level, no finite time). */
export function decodeLog(payload: Buffer): WireLog | undefined {
  if (payload.length < HEADER) return undefined;
  const stream = STREAMS[payload[4]!];
  const level = LEVELS[payload[5]!];
  const time = payload.readDoubleBE(6);
  if (stream === undefined || level === undefined || !Number.isFinite(time)) return undefined;
  return { contextId: payload.readUInt32BE(0), stream, level, time, text: payload.toString('utf8', HEADER) };
}
