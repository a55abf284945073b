import type { Frame } from '../wire/frame.js';
import type { Stream } from '../wire/stream.js';

/**
 * Who may send a message. The rows of {@link AUTHORITY} name one of these; {@link permits} is the only
 * place they are checked, once per frame on the delivery path, before any handler runs.
 *
 * - `ancestor`: a context above this one, speaking for itself, arriving from the parent's direction.
 * - `child`: a context this one started, speaking for itself, on its own stream.
 * - `descendant`: any context below this one, speaking for itself (the reverse-path filter already made
 *   sure it arrived from the direction that context lives in).
 * - `peers`: only the contexts named when the handle was made (the called context for its reply, the
 *   contexts a sender was given to, the other end of a transfer).
 */
export type Principal = 'ancestor' | 'child' | 'descendant' | 'peers';

/**
 * The authority table: for each kind of message, who may send it. Every handler names its kind, so a
 * new kind of message cannot be handled until it has a row here.
 *
 * The bootstrap frame is not a row: it is the first frame on a new context's only stream, read before
 * the context's router exists (core/main.ts), and any other first frame ends the context.
 */
export const AUTHORITY = {
  /** Run a function of a module the ancestor shipped. The root has no ancestor, so it runs no calls. */
  call: 'ancestor',
  /** Run the cleanup and exit. */
  shutdown: 'ancestor',
  /** Kill a child of yours now (a forced shutdown through `via`; children start through a shipped module). */
  'kill-child': 'ancestor',
  /** Module records to keep for this context's children. */
  'forward-modules': 'ancestor',
  /** Route a new id (assigned by the root) towards a child of yours. Routes change only from above. */
  'add-route': 'ancestor',
  /** Records this context holds, asked by a child it started. */
  'get-records': 'child',
  /** The child lost contexts below it: forget the routes through it to them (never any other route). */
  'del-route': 'child',
  /** A module a context's code imports at run time: the module server decides what it may have. */
  'get-module': 'descendant',
  /** A log record; the record may speak only for its sender or a context below it. */
  'forward-log': 'descendant',
  /** A call into a service the program exposed; the service's own policy then decides (services.ts). */
  'service-call': 'descendant',
  /** The answer to a call or request: only the context that was asked. */
  reply: 'peers',
  /** A value for a receiver: only the contexts its sender was given to. */
  'receiver-value': 'peers',
  /** Credit for a sender, or the end of its receiver: only the receiver's context. */
  'receiver-credit': 'peers',
  /** Data and acknowledgements of a file transfer: only the other end. */
  transfer: 'peers',
  /** A starting context's "ready": only that context. */
  ready: 'peers',
} as const satisfies Record<string, Principal>;

export type MessageKind = keyof typeof AUTHORITY;

/** What the delivery path knows about the router the frame reached. */
export interface Position {
  readonly id: number;
  readonly parentIds: readonly number[];
  readonly parentStream: Stream | undefined;
}

/**
 * Whether `frame`, which arrived on `from` (undefined: sent by this process to itself), may reach a
 * handler of `kind`. `peers` is the handler's own list, for the `peers` rows.
 */
export function permits(kind: MessageKind, peers: ReadonlySet<number> | number | undefined, frame: Frame, from: Stream | undefined, here: Position): boolean {
  // This process talking to itself (a context calling its own handles) has every authority it has.
  if (from === undefined) return frame.src === here.id && frame.auth === here.id;
  const selfSpoken = frame.src === frame.auth;
  switch (AUTHORITY[kind] as Principal) {
    case 'ancestor':
      return from === here.parentStream && here.parentIds.includes(frame.auth);
    case 'child':
      return selfSpoken && from !== here.parentStream && from.remoteId === frame.src;
    case 'descendant':
      return selfSpoken && from !== here.parentStream;
    case 'peers':
      return selfSpoken && (typeof peers === 'number' ? peers === frame.src : peers !== undefined && peers.has(frame.src));
  }
}
