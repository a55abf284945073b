// The last step of every start, local or over stdio: the new context's first frame is its BOOTSTRAP (its
// id and name, the ids above it, the limits it inherits), and it answers on a one-shot `ready` handle
// that only it may send to.
import type { RouterCore } from '../calls/router-core.js';
import type { ChannelError } from '../errors.js';
import { deadError } from '../routing/dead-error.js';
import { BOOTSTRAP, type BootstrapConfig } from '../routing/handles.js';
import { ENCODING_DEAD, type Frame } from '../wire/frame.js';

/** What a start does with the new context's answer. */
export interface BootstrapAnswer {
  /** The context answered (as a call is answered: `[1, { pid }]`). */
  ready(frame: Frame): void;
  /** A dead message came instead: the router failed every handle (close()) or the frame was refused on its way. */
  dead(error: ChannelError): void;
}

/**
 * Sends context `id` (routed already) its bootstrap, with a ready handle for its answer.
 * @returns the ready handle; remove it if the start fails before the answer.
 * @throws as RouterCore.send when the bootstrap cannot leave (the handle is removed then).
 */
export function sendBootstrap(router: RouterCore, id: number, name: string, answer: BootstrapAnswer): number {
  const readyHandle = router.allocate({
    persist: false,
    kind: 'ready',
    peers: id,
    fn: (frame) => {
      if (frame.encoding === ENCODING_DEAD) answer.dead(deadError(frame));
      else answer.ready(frame);
    },
  });
  const config: BootstrapConfig = {
    id,
    parentIds: [router.id, ...router.parentIds],
    name,
    maxMessageSize: router.maxMessageSize,
    logLevel: router.logLevel,
    readyHandle,
  };
  try {
    router.send(id, BOOTSTRAP, readyHandle, config);
  } catch (error) {
    router.removeHandler(readyHandle);
    throw error;
  }
  return readyHandle;
}
