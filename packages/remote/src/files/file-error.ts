import { ChannelError, type ChannelErrorReason } from '../errors.js';
import type { FileErrorInfo } from './file-info.js';

/**
 * A file operation in (or towards) a context failed: Node's fields (`code` such as 'ENOENT', 'EACCES',
 * 'EISDIR', 'ENOSPC', 'EEXIST'; `errno`, `syscall`, `path`: the path you named, on the side it failed)
 * and the context's name. x's own codes, each leaving the destination as it was:
 * - 'ERR_X_REMOTE_FILE_MISMATCH': the size or sha256 of what arrived differs from what was sent.
 * - 'ERR_X_REMOTE_FILE_CHANGED': the source file changed while it was read (size, modification time
 *   or inode); retry when it is quiet.
 * - 'ERR_X_REMOTE_UNSAFE_PATH': a listing from a context named a path outside the destination (absolute,
 *   '..', NUL, a duplicate, under a symlink), or a write would have passed through a symlink that the
 *   transfer did not make.
 * - 'ERR_X_REMOTE_FILE_PROTOCOL': the other side broke the transfer protocol (more than a window
 *   unacknowledged, bytes past the declared size or after the end, a malformed answer): a compromised
 *   context, or a bug in x.
 *
 * @example
 * import { FileError } from '@x/remote';
 * try { await ctx.pushFile('app.tar', '/srv/app.tar'); } catch (error) {
 *   if (error instanceof FileError && error.code === 'ENOSPC') console.error(`${error.context} is full`);
 * }
 */
export class FileError extends Error {
  readonly code: string;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  /** The path the operation named (the remote one for a failure in the context). */
  readonly path: string;
  /** The name of the context where it failed (`'root'` for this process's side). */
  readonly context: string;
  constructor(info: FileErrorInfo, context: string) {
    super(`${info.message} (in context ${context})`);
    this.code = info.code;
    this.errno = info.errno;
    this.syscall = info.syscall;
    this.path = info.path;
    this.context = context;
  }
}
Object.defineProperty(FileError.prototype, 'name', { value: 'FileError' });

/** The error a caller sees for a travelling failure: a ChannelError when the channel ended, else a FileError. */
export function fileFailure(info: FileErrorInfo, context: string): Error {
  if (info.code === 'ERR_X_REMOTE_CHANNEL') return new ChannelError((info.reason ?? 'disconnected') as ChannelErrorReason, `${info.message} (context ${context})`);
  return new FileError(info, context);
}
