// Passing fds over Unix sockets (SCM_RIGHTS) without blocking the event loop.
import { InvalidArgumentError, KernelError, checkInteger } from './errors.js';
import { FdHandle } from './fd-handle.js';
import { native } from './native.js';
import type { KDuplex } from './connect.js';

/** What {@link recvFds} received. */
export interface ReceivedFds {
  /** The bytes that carried the fds (empty at end of stream). */
  data: Buffer;
  /** The fds received: close-on-exec, owned by the caller. */
  fds: number[];
  /** More fds came than `max`; the rest were closed. */
  truncated: boolean;
}

function socketFd(sock: number | KDuplex): number {
  if (typeof sock === 'object' && sock !== null && typeof sock.fd === 'number') return sock.fd;
  return checkInteger('sock', sock, 0, 2 ** 31 - 1);
}

/**
 * Sends `fds` (with `data`, default one NUL byte) over a connected Unix socket; the receiver gets its
 * own copies and the caller keeps (and later closes) its fds. Waits without blocking while the
 * socket is full. On a KDuplex, bytes already queued on its output are written first.
 *
 * @throws KernelError EPIPE (syscall sendmsg) when the peer is gone; ERR_X_INVALID_ARG for bad arguments.
 * @example
 * import { socketpair, sendFds, recvFds } from '@x/kernel-io';
 * const [left, right] = socketpair();
 * await sendFds(left, [1], 'stdout');
 * const { fds } = await recvFds(right, 1);
 */
export async function sendFds(sock: number | KDuplex, fds: number[], data?: string | Uint8Array): Promise<number> {
  if (!Array.isArray(fds)) throw new InvalidArgumentError('fds', 'an array of fds', fds);
  const fd = socketFd(sock);
  if (typeof sock === 'object') {
    while (sock.output.pending > 0 && !sock.output.terminated) await new Promise((resolve) => sock.output.once('transfer', resolve));
  } else {
    native().setNonblocking(fd, true);
  }
  return whenReady(fd, 'w', () => native().sendFds(fd, fds, data), 'sendFds', 'sendmsg');
}

/**
 * Receives bytes and up to `max` fds from a Unix socket, waiting without blocking until some arrive.
 * Use it on a raw socket fd, or a socket whose input channel is not reading (it would take the bytes).
 *
 * @param max the most fds to accept (0 to 253); extras are closed and `truncated` is set.
 * @throws KernelError (syscall recvmsg); ERR_X_INVALID_ARG for bad arguments.
 */
export async function recvFds(sock: number | KDuplex, max: number, maxBytes = 65536): Promise<ReceivedFds> {
  const fd = socketFd(sock);
  checkInteger('max', max, 0, 253);
  checkInteger('maxBytes', maxBytes, 1, 1 << 30);
  if (typeof sock === 'number') native().setNonblocking(fd, true);
  return whenReady(fd, 'r', () => native().recvFds(fd, max, maxBytes), 'recvFds', 'recvmsg');
}

/**
 * Calls `attempt` until it gives a result, waiting for the fd to be ready in `direction` whenever it
 * gives null (EAGAIN) and retrying at once on EINTR; any other failure becomes a KernelError.
 */
async function whenReady<T>(fd: number, direction: 'r' | 'w', attempt: () => T | null, what: string, syscall: string): Promise<T> {
  const handle = FdHandle.acquire(fd, null);
  try {
    for (;;) {
      let result: T | null;
      try {
        result = attempt();
      } catch (error) {
        if ((error as { code?: string }).code === 'EINTR') continue;
        throw KernelError.from(error, `${what} on fd ${fd}`, syscall);
      }
      if (result !== null) return result;
      await handle.once(direction);
    }
  } finally {
    handle.release();
  }
}
