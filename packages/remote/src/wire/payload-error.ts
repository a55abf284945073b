// What a refused payload becomes: the reason and limit payload-check.ts refuses by, the internal refusal it
// throws, and the public PayloadError the codec turns that into, naming the sender.

/** The deepest nesting of objects, arrays, maps, sets and error causes a payload may have. */
export const MAX_DEPTH = 512;

/** Why a payload was refused: too deep, a length its bytes do not carry, or not v8 15 as written by Node. */
export type PayloadErrorReason = 'depth' | 'length' | 'format';

/** Thrown by checkPayload; the codec turns it into a PayloadError naming the sender. */
export class PayloadRefusal {
  constructor(
    readonly reason: PayloadErrorReason,
    readonly detail: string,
  ) {}
}

/**
 * A message that arrived was refused before it was decoded: decoding it would have cost more than its
 * bytes (`reason` 'depth': nested deeper than 512 levels; 'length': a sparse array or an array property
 * declaring more elements than the message carries), or it is not a payload @x/remote writes
 * ('format'). A call whose reply is refused rejects with it; a context that receives such a call answers
 * with it; a receiver that gets such a value ends with a ChannelError 'closed' whose cause it is.
 *
 * @example
 * import { PayloadError } from '@x/remote';
 * try { await ctx.call(url, 'report'); } catch (error) {
 *   if (error instanceof PayloadError && error.reason === 'depth') console.error(`${error.context} sent a value nested too deeply`);
 * }
 */
export class PayloadError extends Error {
  readonly code = 'ERR_X_REMOTE_BAD_PAYLOAD';
  /** Which limit it broke: 'depth', 'length' or 'format'. */
  readonly reason: PayloadErrorReason;
  /** The name of the context that sent the message. */
  readonly context: string;
  constructor(reason: PayloadErrorReason, detail: string, context: string, options?: { cause?: unknown }) {
    const remedy =
      reason === 'format'
        ? 'the sender is not @x/remote on Node 20 or later, or the stream is corrupt'
        : `decoding is refused where it would cost more than the message's size; send flatter data (at most ${MAX_DEPTH} levels) and a Map or an object instead of a sparse array`;
    super(`A message from ${context} was refused: ${detail}; ${remedy}.`, options);
    this.reason = reason;
    this.context = context;
  }
}
Object.defineProperty(PayloadError.prototype, 'name', { value: 'PayloadError' });
