// The x command's errors. A usage error (exit status 2) is found before any target is contacted; the
// others belong to one target, which fails while the rest go on.

/** Bad command-line input: the command ends with status 2 before it contacts any target. */
export class UsageError extends Error {
  readonly code: string = 'ERR_X_USAGE';
  /** The usage line of the command the input was for, printed under the message. */
  usage: string | undefined;

  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}
Object.defineProperty(UsageError.prototype, 'name', { value: 'UsageError' });

/** A target that is not `local`, `local*N`, `ssh://…`, `user@host`, `sudo:user`, `su:user`, `@group` or a chain of them. */
export class TargetSyntaxError extends UsageError {
  override readonly code = 'ERR_X_TARGET_SYNTAX';
}
Object.defineProperty(TargetSyntaxError.prototype, 'name', { value: 'TargetSyntaxError' });

/** An inventory file that cannot be read or parsed, a malformed entry, or an unknown `@group`. */
export class InventoryError extends UsageError {
  override readonly code = 'ERR_X_INVENTORY';
}
Object.defineProperty(InventoryError.prototype, 'name', { value: 'InventoryError' });

/** The module named by `x run` does not exist, does not parse, or lacks the export. */
export class ModuleCheckError extends UsageError {
  override readonly code: 'ERR_X_MODULE_NOT_FOUND' | 'ERR_X_EXPORT_NOT_FOUND' | 'ERR_X_MODULE_SYNTAX';

  constructor(code: ModuleCheckError['code'], message: string) {
    super(message);
    this.code = code;
  }
}
Object.defineProperty(ModuleCheckError.prototype, 'name', { value: 'ModuleCheckError' });

/** `x apply`: the site does not typecheck with the TypeScript of its project (wrong resource options, typos). */
export class SiteTypeError extends UsageError {
  override readonly code = 'ERR_X_SITE_TYPE';
}
Object.defineProperty(SiteTypeError.prototype, 'name', { value: 'SiteTypeError' });

/** A target whose connection method this installation of @x/remote does not have yet (ssh, sudo, su before part 2). */
export class MethodUnavailableError extends Error {
  readonly code = 'ERR_X_METHOD_UNAVAILABLE';
  readonly method: string;

  constructor(method: string) {
    super(
      `${method} targets need @x/remote part 2 (router.${method}), which this installation of @x/remote does not have yet; ` +
        'local and local*N targets work now.',
    );
    this.method = method;
  }
}
Object.defineProperty(MethodUnavailableError.prototype, 'name', { value: 'MethodUnavailableError' });

/** `x exec`: the command ran and exited with a status other than 0, or was killed by a signal. */
export class CommandFailedError extends Error {
  readonly code = 'ERR_X_COMMAND_FAILED';
  readonly exitCode: number | null;
  readonly signal: string | null;

  constructor(exitCode: number | null, signal: string | null) {
    super(signal ? `the command was killed by ${signal}` : `the command exited with status ${exitCode}`);
    this.exitCode = exitCode;
    this.signal = signal;
  }
}
Object.defineProperty(CommandFailedError.prototype, 'name', { value: 'CommandFailedError' });

/** A target that did not finish within `--timeout`. */
export class TargetTimeoutError extends Error {
  readonly code = 'ERR_X_TARGET_TIMEOUT';
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`the target did not finish within --timeout ${timeoutMs} ms; its context was shut down`);
    this.timeoutMs = timeoutMs;
  }
}
Object.defineProperty(TargetTimeoutError.prototype, 'name', { value: 'TargetTimeoutError' });

/** Why a target was cancelled: Ctrl+C, another target's failure under --fail-fast, or too many failures under --max-fail-percent. */
export type CancelReason = 'interrupted' | 'fail-fast' | 'max-fail-percent';

/**
 * A target stopped because another failed under `--fail-fast`, because the command was interrupted,
 * or never started because `--max-fail-percent` was exceeded; `reason` says which.
 */
export class CancelledError extends Error {
  readonly code = 'ERR_X_CANCELLED';
  readonly reason: CancelReason;

  constructor(why: string, reason: CancelReason) {
    super(`cancelled: ${why}`);
    this.reason = reason;
  }
}
Object.defineProperty(CancelledError.prototype, 'name', { value: 'CancelledError' });
