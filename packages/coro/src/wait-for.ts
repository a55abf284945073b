// waitFor: wait until a raw fd is readable or writable (uv_poll through @x/native).
import type { FdEvents } from '@x/native';
import type { Coro } from './coro.js';
import { InvalidArgumentError, SimultaneousWaitError } from './errors.js';
import { nativeFunction } from './native.js';
import { type Operation, Suspension } from './operation.js';

export type { FdEvents };

const waitingFds = new Set<number>();

class WaitFor extends Suspension<FdEvents> {
  readonly #fd: number;
  readonly #mode: 'r' | 'w' | 'rw';
  #stop: (() => void) | undefined = undefined;

  constructor(fd: number, mode: 'r' | 'w' | 'rw') {
    super();
    this.#fd = fd;
    this.#mode = mode;
  }

  describe(): string {
    return `waitFor(${this.#fd}, '${this.#mode}')`;
  }

  protected attempt(_co: Coro): boolean {
    const fd = this.#fd;
    const watchFd = nativeFunction('watchFd', `waitFor(${fd})`);
    if (waitingFds.has(fd)) throw new SimultaneousWaitError(fd);
    this.#stop = watchFd(fd, this.#mode, (error, events) => {
      this.#release();
      if (error) this.fail(error);
      else this.wake(events);
    });
    waitingFds.add(fd);
    return false;
  }

  protected cancel(): void {
    this.#release();
  }

  #release(): void {
    if (this.#stop === undefined) return;
    this.#stop();
    this.#stop = undefined;
    waitingFds.delete(this.#fd);
  }
}

/**
 * Waits until `fd` is ready: readable (`'r'`), writable (`'w'`) or either (`'rw'`), and gives what was
 * found (`readable`, `writable`, `hangup`). Uses @x/native's `watchFd` (uv_poll); regular files are always
 * ready and are refused by the kernel (`EPERM`). One coroutine at a time may wait on an fd.
 *
 * @throws {SimultaneousWaitError} `ERR_X_CORO_SIMULTANEOUS_WAIT` when another coroutine waits on `fd`.
 * @throws {NativeUnavailableError} `ERR_X_CORO_NATIVE_UNAVAILABLE` when @x/native is not built.
 * @throws `EBADF`, `EPERM`, `EEXIST` (syscall `uv_poll_init`) from @x/native.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for a bad fd or mode.
 * @example
 * import { createRequire } from 'node:module';
 * import { spawn, waitFor } from '@x/coro';
 * const native = createRequire(import.meta.url)('@x/native');
 * const [readEnd, writeEnd] = native.pipe();
 * spawn(function* () {
 *   const events = yield* waitFor(readEnd, 'r');
 *   console.log(events.readable); // true
 * });
 */
export function waitFor(fd: number, mode: 'r' | 'w' | 'rw'): Operation<FdEvents> {
  if (!Number.isInteger(fd) || fd < 0) throw new InvalidArgumentError('fd', 'a file descriptor (an integer >= 0)', fd);
  if (mode !== 'r' && mode !== 'w' && mode !== 'rw') throw new InvalidArgumentError('mode', "'r', 'w' or 'rw'", mode);
  return new WaitFor(fd, mode);
}
