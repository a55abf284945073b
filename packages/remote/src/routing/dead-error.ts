// The error a dead message carries: its payload is the reason, a newline, and a message.
import { ChannelError, type ChannelErrorReason } from '../errors.js';
import type { Frame } from '../wire/frame.js';

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
