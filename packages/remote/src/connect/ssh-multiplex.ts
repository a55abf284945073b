// OpenSSH connection multiplexing for the ssh method: the first login to a destination becomes a master
// that stays up (ControlPersist) and later logins open a session on it instead of a new TCP connection,
// key exchange and authentication (about 0.1 s of ssh's CPU each here, most of it the post-quantum key
// exchange). Ansible does this by default; x's CLI does too.
//
// The control socket is a door into every session on that connection, so two things are enforced:
// the directory is private (a socket another account could plant or reach would hand it our sessions),
// and the socket's name is a digest of every option that decides how the connection was checked and
// authenticated, not ssh's %C (host, port, user): a login made with host keys ignored must never
// be reused by one that asked for them to be enforced.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

export interface SshMultiplex {
  /**
   * Where the control sockets live: an absolute path, made (mode 0700) when missing, that must be a directory
   * owned by this process's user with no access for group or others. At most 57 bytes: a socket path is
   * limited to 107, and the socket's 32-character name and ssh's 17-byte suffix while it makes the master
   * come after it.
   */
  directory: string;
  /** How long a master stays up after its last session ends, in seconds (default 60, as Ansible's ControlPersist). */
  persistSeconds?: number;
}

/** sun_path's 107 usable bytes, less the digest (32), a slash and ssh's temporary suffix (17). */
const MAX_DIRECTORY_BYTES = 107 - 32 - 1 - 17;

/**
 * The `-o` options that put a login on a shared master, after checking `multiplex` and its directory.
 * @param identity every option that changes how the connection is made or checked, in a fixed order.
 * @throws InvalidArgumentError (`ERR_X_INVALID_ARG`) for a bad option or a directory that is not private.
 */
export function multiplexArgs(multiplex: SshMultiplex, identity: readonly unknown[]): string[] {
  if (typeof multiplex !== 'object' || multiplex === null) throw new InvalidArgumentError('multiplex', 'an object: { directory, persistSeconds? }', multiplex);
  const { directory, persistSeconds = 60 } = multiplex;
  if (typeof directory !== 'string' || !isAbsolute(directory) || /[\0\n]/.test(directory)) {
    throw new InvalidArgumentError('multiplex.directory', 'an absolute path', directory);
  }
  if (Buffer.byteLength(directory) > MAX_DIRECTORY_BYTES) {
    throw new InvalidArgumentError('multiplex.directory', `a path of at most ${MAX_DIRECTORY_BYTES} bytes (a control socket's path is limited to 107)`, directory);
  }
  if (!Number.isInteger(persistSeconds) || persistSeconds < 1) throw new InvalidArgumentError('multiplex.persistSeconds', 'an integer number of seconds >= 1', persistSeconds);
  checkMultiplexDirectory(directory);
  const digest = createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
  return [
    '-o', 'ControlMaster=auto',
    // ssh expands %-tokens in ControlPath: a literal % in the directory is written %%.
    '-o', `ControlPath=${directory.replaceAll('%', '%%')}/${digest}`,
    '-o', `ControlPersist=${persistSeconds}`,
  ];
}

/**
 * Makes `directory` (mode 0700) when missing and checks that it is private to this user.
 * @throws InvalidArgumentError (`ERR_X_INVALID_ARG`, argument `multiplex.directory`) saying what is wrong.
 */
export function checkMultiplexDirectory(directory: string): void {
  let found;
  try {
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    found = lstatSync(directory);
  } catch (error) {
    throw new InvalidArgumentError('multiplex.directory', `a directory this user can make and use (${(error as Error).message})`, directory);
  }
  const uid = process.getuid?.();
  const problem =
    !found.isDirectory() ? 'is not a directory (a symbolic link is refused too)'
    : uid !== undefined && found.uid !== uid ? `is owned by uid ${found.uid}, not ${uid}`
    : (found.mode & 0o077) !== 0 ? `has mode ${(found.mode & 0o777).toString(8)}: group or others may reach the sockets (chmod 700 it)`
    : undefined;
  if (problem !== undefined) throw new InvalidArgumentError('multiplex.directory', `a private directory of this user (this one ${problem})`, directory);
}
