// What both ends of a byte transfer share (transfer-sink.ts receives, transfer-source.ts sends): the
// sizes, the result, and the handle their frames arrive on. Both ends run on both sides: the root runs
// them for its own files and ships them (through file-endpoint.ts) to a context on its first transfer,
// so the core sent on every connect stays small. Only node: built-ins and small relative modules here.
//
// Each end trusts nothing the other sends: a sink refuses more than a window unacknowledged, bytes
// past the declared size and frames after the end; a source refuses acknowledgements of bytes it
// never sent and an answer that is not what it sent. A context can be compromised, and the root may
// be on either end.
import { type FileErrorInfo, untrustedInfo } from './file-info.js';
import type { Frame } from '../wire/frame.js';
import type { RouterCore } from '../calls/router-core.js';

/** Bytes per data frame: large enough that per-frame costs vanish, small enough to interleave calls. */
export const CHUNK_SIZE = 256 * 1024;
/**
 * Unacknowledged bytes per transfer. Measured on this 2-core machine (512 MiB, three runs each): to a
 * local context 1, 2, 4, 8 and 16 MiB all moved 300-380 MiB/s (the hashing at both ends is the limit);
 * over ssh to localhost 1 MiB lost about 10% (195 against 220 MiB/s) while 2 and 4 MiB were equal, and
 * the 99th percentile of calls made during the push fell from 12-13 ms (4 MiB) to 10-11 ms (2 MiB).
 * So 2 MiB: full speed, the least queued in front of calls, and the least held at a `via` hop.
 * A sender never has more than this unacknowledged, and a sink fails a transfer that does.
 */
export const WINDOW_SIZE = 2 * 1024 * 1024;
/** The largest size a transfer may declare or reach: where integers in a double stay exact. */
const MAX_SIZE = Number.MAX_SAFE_INTEGER;

/** A handle for one transfer's frames: only `peer` may send to it, and its disconnection ends it. */
export function peerHandle(router: RouterCore, peer: number, fn: (frame: Frame) => void): number {
  return router.allocate({ persist: true, respondent: peer, kind: 'transfer', peers: peer, fn });
}

/** A dead message on a transfer's handle: its channel ended ('disconnected', 'shutdown', ...). */
export function channelFailure(frame: Frame, path: string): FileErrorInfo {
  const text = frame.payload.subarray(0, 2048).toString('utf8');
  const cut = text.indexOf('\n');
  return untrustedInfo({ code: 'ERR_X_REMOTE_CHANNEL', reason: cut < 0 ? text : text.slice(0, cut), message: `the transfer of '${path}' ended: ${cut < 0 ? text : text.slice(cut + 1)}` }, path);
}

/** Whether a peer's number is a byte count: a safe integer, not negative. */
export function isSize(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_SIZE;
}
