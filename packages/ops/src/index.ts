/**
 * @x/ops: idempotent configuration resources as async functions that run where the state is (in a
 * target's context under `x apply`), each reading the current state, changing only what differs,
 * honouring check mode and returning what it did.
 *
 * @example
 * import { apply, directory, file } from '@x/ops';
 * const summary = await apply(async () => {
 *   await directory('/tmp/demo', { mode: 0o755 });
 *   await file('/tmp/demo/hello.txt', { content: 'hello\n' });
 * });
 * console.log(summary); // { ok: 0, changed: 2, failed: 0 } the first time, { ok: 2, changed: 0, failed: 0 } after
 */
export { apply, isCheckMode } from './run.js';
export type { ApplyOptions, ApplySummary, Diff, ResourceEvent, ResourceResult } from './run.js';
export { facts } from './facts.js';
export type { Facts } from './facts.js';
export { absent } from './resources/absent.js';
export { block } from './resources/block.js';
export type { BlockOptions } from './resources/block.js';
export { command } from './resources/command.js';
export type { CommandLine, CommandOptions, CommandResult } from './resources/command.js';
export { directory } from './resources/directory.js';
export type { DirectoryOptions } from './resources/directory.js';
export { file } from './resources/file.js';
export type { FileOptions, FileResult } from './resources/file.js';
export { group } from './resources/group.js';
export type { GroupOptions, GroupResult } from './resources/group.js';
export { line } from './resources/line.js';
export type { LineOptions } from './resources/line.js';
export { pkg } from './resources/pkg.js';
export type { PkgOptions, PkgResult } from './resources/pkg.js';
export { service } from './resources/service.js';
export type { ServiceOptions } from './resources/service.js';
export { symlink } from './resources/symlink.js';
export type { SymlinkOptions } from './resources/symlink.js';
export { user } from './resources/user.js';
export type { UserOptions, UserResult } from './resources/user.js';
export {
  ApplyRunningError,
  CommandFailedError,
  InvalidArgumentError,
  NoSuchFileError,
  NoSuchGroupError,
  NoSuchUserError,
  NoSystemdError,
  PackageManagerError,
  UnsafePathError,
} from './errors.js';
export type { Owner } from './support/args.js';
