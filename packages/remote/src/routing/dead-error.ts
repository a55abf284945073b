// A dead message: the answer to a frame that could not be delivered or handled. Its payload is the
// reason, a newline, and a message; its encoding is ENCODING_DEAD.
import { ChannelError, type ChannelErrorReason } from '../errors.js';
import { ENCODING_DEAD, type Frame } from '../wire/frame.js';

/** The ChannelError a dead message carries. */
export function deadError(frame: Frame): ChannelError {
  const text = frame.payload.toString('utf8');
  const newline = text.indexOf('\n');
  const reason = (newline < 0 ? text : text.slice(0, newline)) as ChannelErrorReason;
  const message = newline < 0 ? '' : text.slice(newline + 1);
  const known: ChannelErrorReason[] = ['disconnected', 'no-route', 'refused', 'too-large', 'shutdown', 'closed'];
  return new ChannelError(known.includes(reason) ? reason : 'closed', message === '' ? 'The channel was closed by the other end.' : capitalize(message));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (text.endsWith('.') ? '' : '.');
}

/** The payload of a dead message with `reason` and `message`. */
export function deadPayload(reason: ChannelErrorReason, message: string): Buffer {
  return Buffer.from(`${reason}\n${message}`);
}

/** A dead message this process hands its own handler `handle` for `error` (as if `src` had sent it). */
export function deadFrame(dst: number, src: number, handle: number, error: ChannelError): Frame {
  return { encoding: ENCODING_DEAD, dst, src, auth: src, handle, replyTo: 0, payload: deadPayload(error.reason, error.message) };
}
