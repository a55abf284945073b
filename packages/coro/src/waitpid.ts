// waitpid: wait for a process to exit, by pid (a pidfd through @x/native) or through a subprocess object.
import { constants } from 'node:os';
import type { Coro } from './coro.js';
import { InvalidArgumentError } from './errors.js';
import { nativeFunction } from './native.js';
import { type Operation, Suspension } from './operation.js';

/** How a process ended, as far as this process can know. */
export interface ProcessExit {
  /** The process id, when known. */
  pid: number | undefined;
  /** The exit code, or null when it was killed by a signal or the status is unknown. */
  code: number | null;
  /** The signal that killed it (e.g. 'SIGTERM'), or null. */
  signal: NodeJS.Signals | null;
  /** False when the process was not a child of this one (or was reaped elsewhere): only the fact that it exited is known. */
  statusKnown: boolean;
}

/** Anything with an `exited` promise (a @x/process Subprocess) or a Node ChildProcess. */
export type WaitTarget =
  | number
  | { readonly pid?: number | undefined; readonly exited: PromiseLike<{ code?: number | null; signal?: string | number | null }> }
  | {
      readonly pid?: number | undefined;
      readonly exitCode: number | null;
      readonly signalCode: NodeJS.Signals | null;
      once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
      off(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
    };

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

function signalName(signal: string | number | null | undefined): NodeJS.Signals | null {
  if (signal === null || signal === undefined) return null;
  return typeof signal === 'number' ? (signalNames.get(signal) ?? (`SIG${signal}` as NodeJS.Signals)) : (signal as NodeJS.Signals);
}

function exit(pid: number | undefined, code: number | null | undefined, signal: string | number | null | undefined, statusKnown = true): ProcessExit {
  return { pid, code: code ?? null, signal: signalName(signal), statusKnown };
}

class WaitPid extends Suspension<ProcessExit> {
  readonly #target: WaitTarget;
  #stop: (() => void) | undefined = undefined;

  constructor(target: WaitTarget) {
    super();
    this.#target = target;
  }

  describe(): string {
    const target = this.#target;
    return `waitpid(${typeof target === 'number' ? target : (target.pid ?? 'subprocess')})`;
  }

  protected attempt(_co: Coro): boolean {
    const target = this.#target;
    if (typeof target === 'number') {
      const watchPid = nativeFunction('watchPid', `waitpid(${target})`);
      this.#stop = watchPid(target, (status) => {
        this.wake(status ? exit(target, status.code, status.signal) : exit(target, null, null, false));
      });
      return false;
    }
    if ('exited' in target) {
      target.exited.then(
        (status) => this.wake(exit(target.pid, status?.code, status?.signal)),
        (error: unknown) => this.fail(error),
      );
      return false;
    }
    if (target.exitCode !== null || target.signalCode !== null) {
      this.result = exit(target.pid, target.exitCode, target.signalCode);
      return true;
    }
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => this.wake(exit(target.pid, code, signal));
    target.once('exit', onExit);
    this.#stop = () => target.off('exit', onExit);
    return false;
  }

  protected cancel(): void {
    this.#stop?.();
  }
}

/**
 * Waits for a process to exit and gives how it ended. Takes a pid (any process: a pidfd through
 * @x/native's `watchPid`, no polling), anything with an `exited` promise (a @x/process `Subprocess`), or a
 * Node `ChildProcess`. Interruptible; an interrupted wait stops watching.
 *
 * @throws {NativeUnavailableError} `ERR_X_CORO_NATIVE_UNAVAILABLE` for a pid when @x/native is not built.
 * @throws `ESRCH` (syscall `pidfd_open`) for a pid that no longer exists.
 * @throws {InvalidArgumentError} `ERR_X_INVALID_ARG` for anything else.
 * @example
 * import { spawn as spawnChild } from 'node:child_process';
 * import { spawn, waitpid } from '@x/coro';
 * spawn(function* () {
 *   const child = spawnChild('sleep', ['0.1']);
 *   const { code, signal } = yield* waitpid(child);
 *   console.log(code, signal); // 0 null
 * });
 */
export function waitpid(target: WaitTarget): Operation<ProcessExit> {
  const valid =
    typeof target === 'number'
      ? Number.isInteger(target) && target >= 1
      : typeof target === 'object' &&
        target !== null &&
        (('exited' in target && typeof target.exited?.then === 'function') ||
          ('exitCode' in target && typeof (target as { once?: unknown }).once === 'function'));
  if (!valid) {
    throw new InvalidArgumentError('target', 'a pid (integer >= 1), an object with an `exited` promise, or a ChildProcess', target);
  }
  return new WaitPid(target);
}
