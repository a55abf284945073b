// One small class per failure, each with a stable code and a message that says what to do. Classes are
// branded with registered symbols, so `instanceof` holds across two loaded copies of @x/ops (a site's
// and x apply's), and across processes callers match on `code`.

function brandClass(cls: abstract new (...args: never[]) => unknown, name: string): void {
  const key = Symbol.for(`@x/ops.${name}`);
  Object.defineProperty(cls.prototype, 'name', { value: name, configurable: true });
  Object.defineProperty(cls.prototype, key, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: (value: unknown) => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[key] === true,
  });
}

/** Describes a rejected value with its type, as error messages show it. */
function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} (${typeof value})`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return `${String(value)} (RegExp)`;
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'no prototype'})` : String(value);
}

/**
 * Thrown by a resource called with a wrong argument or option, before it reads or changes anything.
 *
 * @example
 * import { file, InvalidArgumentError } from '@x/ops';
 * await file('relative.txt', { content: '' }).catch((e) => console.log((e as InvalidArgumentError).argument)); // 'path'
 */
export class InvalidArgumentError extends TypeError {
  readonly code = 'ERR_X_INVALID_ARG';
  /** The name of the argument that was rejected, e.g. `'options.mode'`. */
  readonly argument: string;

  constructor(argument: string, expected: string, value: unknown, options?: { cause?: unknown }) {
    super(`Expected \`${argument}\` to be ${expected}, got ${describe(value)}.`, options);
    this.argument = argument;
  }
}
brandClass(InvalidArgumentError, 'InvalidArgumentError');

/**
 * Thrown when a program a resource runs (a `command`, or useradd, apt-get, systemctl...) exits non-zero
 * or is killed. `output` holds the tail of what it printed (stdout and stderr interleaved, at most 4 KiB).
 */
export class CommandFailedError extends Error {
  readonly code = 'ERR_X_OPS_COMMAND_FAILED';
  /** The command as run: its argv joined with spaces, or the shell line. */
  readonly command: string;
  /** Its exit status; `null` when a signal ended it or it could not start. */
  readonly exitCode: number | null;
  /** The signal that ended it, e.g. `'SIGKILL'`; `null` when it exited. */
  readonly signal: string | null;
  /** The last 4 KiB of its output. */
  readonly output: string;

  constructor(command: string, exitCode: number | null, signal: string | null, output: string, options?: { cause?: unknown }) {
    const how = signal !== null ? `was killed by ${signal}` : exitCode !== null ? `exited with status ${exitCode}` : 'could not start';
    const tail = output.trim() === '' ? ' and printed nothing.' : `. Its output ended with:\n${output.trimEnd()}`;
    super(`\`${command}\` ${how}${tail}`, options);
    this.command = command;
    this.exitCode = exitCode;
    this.signal = signal;
    this.output = output;
  }
}
brandClass(CommandFailedError, 'CommandFailedError');

/** Thrown when a user named in an option (`owner`, a `command`'s ...) does not exist on the host. */
export class NoSuchUserError extends Error {
  readonly code = 'ERR_X_OPS_NO_SUCH_USER';
  /** The user name as given. */
  readonly user: string;

  constructor(user: string) {
    super(`There is no user '${user}' on this host. Create it first (user('${user}') before the resource that names it), or fix the name.`);
    this.user = user;
  }
}
brandClass(NoSuchUserError, 'NoSuchUserError');

/** Thrown when a group named in an option (`group`, `groups`) does not exist on the host. */
export class NoSuchGroupError extends Error {
  readonly code = 'ERR_X_OPS_NO_SUCH_GROUP';
  /** The group name as given. */
  readonly group: string;

  constructor(group: string) {
    super(`There is no group '${group}' on this host. Create it first (group('${group}') before the resource that names it), or fix the name.`);
    this.group = group;
  }
}
brandClass(NoSuchGroupError, 'NoSuchGroupError');

/** Thrown by `pkg` on a host whose package manager it does not drive (it drives apt). */
export class PackageManagerError extends Error {
  readonly code = 'ERR_X_OPS_PKG_MANAGER';
  /** The package manager found (`'dnf'`, `'apk'`...), or `'none'`. */
  readonly manager: string;

  constructor(manager: string) {
    super(
      manager === 'none'
        ? 'pkg() found no package manager on this host (it looks for apt-get, dnf, yum, apk, pacman, zypper). Install packages another way, e.g. with command().'
        : `pkg() drives apt (apt-get and dpkg-query), but this host's package manager is ${manager}. Use command('${manager} ...') for it.`,
    );
    this.manager = manager;
  }
}
brandClass(PackageManagerError, 'PackageManagerError');

/** Thrown when a path is not what the resource can safely manage: a symlink where it edits in place, or another kind of file. */
export class UnsafePathError extends Error {
  readonly code = 'ERR_X_OPS_UNSAFE_PATH';
  /** The path the resource was given. */
  readonly path: string;

  constructor(path: string, reason: string) {
    super(`Refusing to manage '${path}': ${reason}.`);
    this.path = path;
  }
}
brandClass(UnsafePathError, 'UnsafePathError');

/** Thrown by `service` for a state (started, stopped, restarted, reloaded) on a host where systemd is not running. */
export class NoSystemdError extends Error {
  readonly code = 'ERR_X_OPS_NO_SYSTEMD';
  /** The service that was asked for. */
  readonly service: string;

  constructor(service: string, init: string) {
    super(
      `service('${service}') needs a running systemd to start, stop, restart or reload it, but this host's init is ${init}. ` +
        'Enablement works without one (enabled: true, with root: DIR for an image); manage the process another way.',
    );
    this.service = service;
  }
}
brandClass(NoSystemdError, 'NoSystemdError');

/** Thrown by `line` and `block` when the file to edit does not exist and `create` was not given. */
export class NoSuchFileError extends Error {
  readonly code = 'ERR_X_OPS_NO_SUCH_FILE';
  /** The path the resource was given. */
  readonly path: string;

  constructor(path: string) {
    super(`'${path}' does not exist. Pass create: true to create it, or create it first with file().`);
    this.path = path;
  }
}
brandClass(NoSuchFileError, 'NoSuchFileError');

/**
 * Thrown by `apply()` called while another apply() runs in the same process: resources find their run
 * through the process, so two at once could not tell whose resource is whose. Await the first, or run
 * the second in another context (x apply gives each target its own).
 */
export class ApplyRunningError extends Error {
  readonly code = 'ERR_X_OPS_APPLY_RUNNING';

  constructor() {
    super('apply() is already running in this process: run one site at a time (await the first), or the other in a context of its own.');
  }
}
brandClass(ApplyRunningError, 'ApplyRunningError');
