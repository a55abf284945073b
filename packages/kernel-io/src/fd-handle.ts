// One kernel fd shared by the channels that use it (a socket's KInput and KOutput): a single poll
// watch carrying both directions' interest (@x/native allows one watch per fd per thread), and a
// reference count so the fd is closed once, when its last owning channel lets go.
import { native } from './native.js';

type Ready = (error: Error | null) => void;

const registry = new Map<number, FdHandle>();

/** A shared, reference-counted fd with one poll watch for both directions. */
export class FdHandle {
  readonly fd: number;
  private refs = 0;
  private closer: (() => void) | null;
  private onRead: Ready | null = null;
  private onWrite: Ready | null = null;
  private events = '';
  private stop: (() => void) | null = null;

  private constructor(fd: number, closer: (() => void) | null) {
    this.fd = fd;
    this.closer = closer;
  }

  /**
   * The handle of `fd`, shared with channels already using it. `closer` closes the fd when the last
   * reference goes (null: the caller keeps ownership and closes it itself).
   */
  static acquire(fd: number, closer: (() => void) | null): FdHandle {
    let handle = registry.get(fd);
    if (handle === undefined) {
      handle = new FdHandle(fd, closer);
      registry.set(fd, handle);
    } else if (handle.closer === null) {
      // A one-off user (sendFds) held it first: the owning channel's closer wins.
      handle.closer = closer;
    }
    handle.refs++;
    return handle;
  }

  /** Calls `ready` while the fd is readable (or hung up); null stops. */
  wantRead(ready: Ready | null): void {
    this.onRead = ready;
    this.update();
  }

  /** Calls `ready` while the fd is writable (or hung up); null stops. */
  wantWrite(ready: Ready | null): void {
    this.onWrite = ready;
    this.update();
  }

  /**
   * Resolves once the fd is readable (`'r'`) or writable (`'w'`), for one-off calls (sendFds,
   * recvFds). Throws when a channel already waits on that direction of this fd.
   */
  once(direction: 'r' | 'w'): Promise<void> {
    if ((direction === 'r' ? this.onRead : this.onWrite) !== null) {
      return Promise.reject(new Error(`fd ${this.fd} already has a channel waiting to ${direction === 'r' ? 'read' : 'write'}: terminate it first.`));
    }
    return new Promise((resolve, reject) => {
      const ready: Ready = (error) => {
        if (direction === 'r') this.wantRead(null);
        else this.wantWrite(null);
        if (error) reject(error);
        else resolve();
      };
      if (direction === 'r') this.wantRead(ready);
      else this.wantWrite(ready);
    });
  }

  /** Drops one reference; the last one stops the watch and closes the fd (when owned). */
  release(): void {
    if (this.refs === 0) return;
    if (--this.refs > 0) return;
    this.onRead = this.onWrite = null;
    this.update();
    registry.delete(this.fd);
    this.closer?.();
  }

  private update(): void {
    const events = (this.onRead ? 'r' : '') + (this.onWrite ? 'w' : '');
    if (events === this.events) return;
    this.stop?.();
    this.stop = null;
    this.events = events;
    if (events === '') return;
    try {
      this.stop = native().watchFd(this.fd, events as 'r' | 'w' | 'rw', (error, ready) => {
        if (error) {
          // libuv stops the watch on EPOLLERR and calls it EBADF; the real error (ECONNRESET,
          // EPIPE…) comes from the next read or write, which each direction now makes.
          const read = this.onRead;
          const write = this.onWrite;
          this.stop?.();
          this.stop = null;
          this.events = '';
          this.onRead = this.onWrite = null;
          const polled = (error as { code?: string }).code === 'EBADF' ? null : error;
          read?.(polled);
          write?.(polled);
          return;
        }
        if (ready === null) return;
        if ((ready.readable || ready.hangup) && this.onRead) this.onRead(null);
        if ((ready.writable || ready.hangup) && this.onWrite) this.onWrite(null);
      });
    } catch (error) {
      this.events = '';
      const read = this.onRead;
      const write = this.onWrite;
      this.onRead = this.onWrite = null;
      // Reported on the next turn: the caller is in the middle of changing its state.
      queueMicrotask(() => {
        read?.(error as Error);
        write?.(error as Error);
      });
    }
  }
}
