// The errors @x/kernel-io throws: one small class per failure, each with a stable `code`.

function show(value: unknown): string {
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (value === null) return 'null';
  if (typeof value === 'object') return `${Object.prototype.toString.call(value)} (object)`;
  return `${String(value)} (${typeof value})`;
}

/**
 * A system call failed on a channel: the peer reset the connection (`ECONNRESET`), the reader went away
 * (`EPIPE`), the device hung up (`EIO`), or anything else the kernel refused. `code` and `syscall` are
 * the kernel's own, as in Node's errors; `cause` is Node's original error when there was one.
 *
 * @example
 * import { KernelError } from '@x/kernel-io';
 * try { await output.end(); } catch (error) { if (error instanceof KernelError && error.code === 'EPIPE') console.log('reader closed'); }
 */
export class KernelError extends Error {
  /** The errno's name: `'ECONNRESET'`, `'EPIPE'`, `'EIO'`… */
  readonly code: string;
  /** The negative errno, as in Node's own errors (or 0 when unknown). */
  readonly errno: number;
  /** The call that failed: `'read'`, `'write'`, `'writev'`, `'open'`, `'connect'`… */
  readonly syscall: string;
  /** The path involved, for file channels. */
  readonly path?: string;

  constructor(code: string, syscall: string, message: string, options?: ErrorOptions & { errno?: number; path?: string }) {
    super(message, options);
    this.code = code;
    this.syscall = syscall;
    this.errno = options?.errno ?? 0;
    if (options?.path !== undefined) this.path = options.path;
  }

  /** Wraps a Node system error (anything with `code` and `syscall`) raised on `what`. */
  static from(error: unknown, what: string, fallbackSyscall: string): KernelError {
    if (error instanceof KernelError) return error;
    const e = error as { code?: unknown; syscall?: unknown; errno?: unknown; path?: unknown; message?: unknown };
    const code = typeof e?.code === 'string' ? e.code : 'EUNKNOWN';
    const syscall = typeof e?.syscall === 'string' ? e.syscall : fallbackSyscall;
    const hint =
      code === 'EPIPE'
        ? 'the reading side was closed; stop writing or reconnect'
        : code === 'ECONNRESET'
          ? 'the peer reset the connection; bytes it sent before the reset were delivered'
          : code === 'EIO'
            ? 'the device hung up (for a pty master after the child exited, pass { hangupIsEof: true })'
            : 'see the code and syscall';
    const options: ErrorOptions & { errno?: number; path?: string } = { cause: error };
    if (typeof e?.errno === 'number') options.errno = e.errno;
    if (typeof e?.path === 'string') options.path = e.path;
    return new KernelError(code, syscall, `${code}: ${syscall} failed on ${what}: ${hint}.`, options);
  }
}

/**
 * The channel was terminated (by `terminate()`, its Matrix, or `end()`) before this operation could
 * run; nothing more can be written to or read from it. Code `ERR_X_CHANNEL_TERMINATED`.
 *
 * @example
 * import { pipe, ChannelTerminatedError } from '@x/kernel-io';
 * const [input, output] = pipe();
 * output.terminate(); input.terminate();
 * try { await output.send(Buffer.from('x')); } catch (error) { console.log(error instanceof ChannelTerminatedError); }
 */
export class ChannelTerminatedError extends Error {
  readonly code = 'ERR_X_CHANNEL_TERMINATED';
  constructor(what: string) {
    super(`${what} is terminated: create a new channel to transfer more bytes.`);
  }
}
Object.defineProperty(ChannelTerminatedError.prototype, 'name', { value: 'ChannelTerminatedError' });
Object.defineProperty(KernelError.prototype, 'name', { value: 'KernelError' });

const invalidArgumentBrand = Symbol.for('@x/kernel-io.InvalidArgumentError');

/**
 * An argument of the wrong type or out of range, rejected before anything was done: `argument` names it;
 * the message says what was expected and what was given. Code `ERR_X_INVALID_ARG`, as in every x package;
 * `instanceof` holds across installed copies of @x/kernel-io.
 *
 * @example
 * import { InvalidArgumentError, readFileRange } from '@x/kernel-io';
 * try { readFileRange('/etc/hostname', 10, 5); } catch (error) { if (error instanceof InvalidArgumentError) console.log(error.argument); } // 'start'
 */
export class InvalidArgumentError extends TypeError {
  readonly code = 'ERR_X_INVALID_ARG';
  /** The name of the rejected argument, e.g. `'options.bufferSize'`. */
  readonly argument: string;

  constructor(argument: string, expected: string, value: unknown) {
    super(`Expected \`${argument}\` to be ${expected}, got ${show(value)}.`);
    this.argument = argument;
  }

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[invalidArgumentBrand] === true;
  }
}
Object.defineProperty(InvalidArgumentError.prototype, 'name', { value: 'InvalidArgumentError' });
Object.defineProperty(InvalidArgumentError.prototype, invalidArgumentBrand, { value: true });

/** Throws InvalidArgumentError unless `value` is an integer in [min, max]. */
export function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InvalidArgumentError(name, 'an integer', value);
  if (value < min || value > max) throw new InvalidArgumentError(name, `an integer from ${min} to ${max}`, value);
  return value;
}
