// The handles of one router: what runs when a frame reaches each, and which handles end when a context
// disconnects (the respondent index). Delivery (routing.ts) looks handlers up here; authority.ts decides
// whether a frame may reach one.
import type { Stream } from '../wire/stream.js';
import type { Frame } from '../wire/frame.js';
import type { MessageKind } from './authority.js';
import { FIRST_DYNAMIC } from './handles.js';

/** What a handler does with a frame addressed to it. */
export interface Handler {
  fn: (frame: Frame, from: Stream | undefined) => void;
  /** The kind of message it takes: its row in the authority table says who may send it (authority.ts). */
  kind: MessageKind;
  /** For kinds whose row is `peers`: the contexts that may send to it. */
  peers?: ReadonlySet<number> | number;
  /** The context whose disconnection ends this handler with a dead message. */
  respondent?: number;
  /** Whether it stays after its first frame. */
  persist: boolean;
}

/** The handlers by handle, dynamic handles handed out from FIRST_DYNAMIC, and the handles each context answers. */
export class HandlerTable {
  readonly #handlers = new Map<number, Handler>();
  readonly #byRespondent = new Map<number, Set<number>>();
  #nextHandle = FIRST_DYNAMIC;

  get(handle: number): Handler | undefined {
    return this.#handlers.get(handle);
  }

  has(handle: number): boolean {
    return this.#handlers.has(handle);
  }

  add(handle: number, handler: Handler): void {
    this.#handlers.set(handle, handler);
    if (handler.respondent !== undefined) this.addRespondent(handle, handler.respondent);
  }

  /** Registers `handler` on a new dynamic handle. */
  allocate(handler: Handler): number {
    const handle = this.#nextHandle++;
    if (this.#nextHandle > 0xffff_fff0) this.#nextHandle = FIRST_DYNAMIC;
    this.add(handle, handler);
    return handle;
  }

  remove(handle: number): void {
    const handler = this.#handlers.get(handle);
    if (handler === undefined) return;
    this.#handlers.delete(handle);
    if (handler.respondent !== undefined) this.#byRespondent.get(handler.respondent)?.delete(handle);
  }

  /** Makes the handler on `handle` also end when context `id` disconnects. */
  addRespondent(handle: number, id: number): void {
    let set = this.#byRespondent.get(id);
    if (set === undefined) this.#byRespondent.set(id, (set = new Set()));
    set.add(handle);
  }

  /**
   * Removes the handlers that end when context `id` disconnects, handing each to `end` as it goes: a
   * handler that `end` makes remove another of them leaves that one out.
   */
  endRespondent(id: number, end: (handler: Handler, handle: number) => void): void {
    const handles = this.#byRespondent.get(id);
    if (handles === undefined) return;
    this.#byRespondent.delete(id);
    for (const handle of handles) {
      const handler = this.#handlers.get(handle);
      if (handler === undefined) continue;
      this.#handlers.delete(handle);
      end(handler, handle);
    }
  }

  /** Removes and returns every dynamic handler (replies, receivers, transfers), as [handle, handler]. */
  takeDynamic(): [number, Handler][] {
    const taken: [number, Handler][] = [];
    for (const entry of this.#handlers) if (entry[0] >= FIRST_DYNAMIC) taken.push(entry);
    for (const [handle] of taken) this.#handlers.delete(handle);
    this.#byRespondent.clear();
    return taken;
  }
}
