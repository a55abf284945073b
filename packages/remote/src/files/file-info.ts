// A file failure as it travels between the two sides of a transfer (plain data: errors do not cross
// a channel as themselves), and the failures the transfer code itself detects. Runs on both sides.

/** A file error as it travels: Node's fields, with the path the user named (never a temporary one). */
export interface FileErrorInfo {
  code: string;
  errno: number | undefined;
  syscall: string | undefined;
  path: string;
  message: string;
  /** For a transfer that ended because its channel did: the ChannelError reason ('disconnected', ...). */
  reason?: string;
}

/** The text of a Node fs error without its code and path: "no such file or directory". */
export function describeError(error: Error): string {
  return error.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/s, '');
}

/** Turns a thrown fs error (or any error) into the travelling shape, naming `path` in place of the temporary. */
export function errorInfo(error: unknown, path: string): FileErrorInfo {
  const { code, errno, syscall, info } = (error ?? {}) as NodeJS.ErrnoException & { info?: FileErrorInfo };
  // One of the failures below, thrown as an error: it travels as it was made.
  if (info !== undefined && typeof info === 'object' && typeof info.code === 'string') return info;
  if (typeof code === 'string' && typeof syscall === 'string') {
    return { code, errno, syscall, path, message: `${code}: ${describeError(error as Error)}, ${syscall} '${path}'` };
  }
  return { code: typeof code === 'string' ? code : 'ERR_X_REMOTE_FILE', errno: undefined, syscall: undefined, path, message: `${(error as Error)?.message ?? String(error)} ('${path}')` };
}

/** An Error carrying `info`, for code that throws: errorInfo() gives `info` back unchanged. */
export function failureError(info: FileErrorInfo): Error {
  return Object.assign(new Error(info.message), { code: info.code, info });
}

function failure(code: string, path: string, message: string): FileErrorInfo {
  return { code, errno: undefined, syscall: undefined, path, message };
}

/** The error a transfer ends with when the bytes that arrived are not the bytes that were sent. */
export function mismatch(path: string, what: string): FileErrorInfo {
  return failure('ERR_X_REMOTE_FILE_MISMATCH', path, `${what} for '${path}': the bytes were corrupted on the way; nothing was written`);
}

/** A path from a context that would write outside the destination, or a write that would pass through a symlink it did not make. */
export function unsafePath(path: string, why: string): FileErrorInfo {
  return failure('ERR_X_REMOTE_UNSAFE_PATH', path, `refused to write '${path}': ${why}; nothing outside the destination was touched`);
}

/** The source file changed between its open and its last byte read. */
export function changedWhileRead(path: string, what: string): FileErrorInfo {
  return failure('ERR_X_REMOTE_FILE_CHANGED', path, `'${path}' changed while it was read (${what}); nothing was written: retry when it is quiet`);
}

/** The other side broke the transfer protocol: only a compromised (or foreign) peer does. */
export function brokenProtocol(path: string, what: string): FileErrorInfo {
  return failure('ERR_X_REMOTE_FILE_PROTOCOL', path, `the transfer of '${path}' was refused: the other side ${what}; nothing was written`);
}

/** The reasons a travelling channel failure may give (ChannelErrorReason). */
const REASONS = new Set(['disconnected', 'no-route', 'refused', 'too-large', 'shutdown', 'closed', 'aborted']);
const TEXT_LIMIT = 2048;

function text(value: unknown, limit: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > limit ? `${value.slice(0, limit)}...` : value;
}

/**
 * A failure the other side reported, as far as it can be believed: strings bounded, numbers checked,
 * and the path always ours (`path`: the one the user named), whatever the peer claimed.
 */
export function untrustedInfo(value: unknown, path: string): FileErrorInfo {
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const code = text(fields['code'], 64);
  const message = text(fields['message'], TEXT_LIMIT);
  if (code === undefined || message === undefined || !/^[A-Z][A-Z0-9_]*$/.test(code)) return brokenProtocol(path, 'sent a malformed error');
  const errno = fields['errno'];
  const syscall = text(fields['syscall'], 32);
  const info: FileErrorInfo = { code, errno: Number.isSafeInteger(errno) ? (errno as number) : undefined, syscall, path, message };
  if (code === 'ERR_X_REMOTE_CHANNEL') info.reason = REASONS.has(fields['reason'] as string) ? (fields['reason'] as string) : 'disconnected';
  return info;
}
