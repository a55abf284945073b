// The options that say how to connect (-i, -o, --node-path, --check-host-keys, --max-message-size, -K,
// --ask-pass): how they parse, what `x --help` says of them, and the passwords they ask for.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { askPassword } from './ask-password.js';
import type { HopDefaults } from './connect.js';
import { UsageError } from './errors.js';

export const connectionOptions = {
  identity: { type: 'string', short: 'i' },
  'ssh-option': { type: 'string', short: 'o', multiple: true },
  'node-path': { type: 'string' },
  'check-host-keys': { type: 'string' },
  'max-message-size': { type: 'string' },
  'ask-become-pass': { type: 'boolean', short: 'K' },
  'ask-pass': { type: 'boolean' },
  'ssh-persist': { type: 'string' },
} satisfies ParseArgsConfig['options'];

export const connectionHelp = `  -i, --identity FILE
                     the private key for ssh (offered alone); FILE must exist here
  -o, --ssh-option OPTION
                     an ssh option (as ssh -o: -o ProxyJump=bastion); repeatable
  --node-path PATH   the node binary on the targets (default: node in their PATH); ~/ is
                     the home directory there, as in ~/.nvm/versions/node/v20.19.0/bin/node.
                     A sudo or su hop after it runs the same node
  --check-host-keys strict|accept|ignore
                     x's host-key policy: strict refuses an unknown or changed key, accept
                     learns an unknown one, ignore checks nothing. Without it, your ssh
                     configuration decides, as for ssh itself
  --max-message-size SIZE
                     the largest message between x and a context (default 128M; K, M, G: KiB...)
  -K, --ask-become-pass
                     ask once for the sudo/su password (no echo), typed at every sudo and su hop
  --ask-pass         ask once for the ssh login password (no echo), for the first ssh hop of
                     each target (a later hop's ssh has no terminal: use keys there)
  --ssh-persist SECONDS
                     keep each ssh login up SECONDS after its last use, so the next x command
                     (or target) to the same host, user and options skips the login, as
                     Ansible's ControlPersist does (default 60; 0: every login its own).
                     Sockets in $XDG_RUNTIME_DIR/x/ssh or ~/.x/ssh, which must be private
  These apply to every hop that does not name its own: the target (user@host:port) wins,
  then the inventory's entry for the host, then its defaults, then these flags, then
  ~/.ssh/config. On a chain's later hop (db1 in bastion/db1) ssh runs on the host before
  it, so an identity file there is a path on that host.`;

type Values = {
  [K in keyof typeof connectionOptions]?: (typeof connectionOptions)[K] extends { multiple: true } ? string[] : (typeof connectionOptions)[K]['type'] extends 'boolean' ? boolean : string;
};

/** What the connection options ask, checked; nothing is asked on the terminal yet. */
export interface ConnectionFlags {
  defaults: HopDefaults;
  /** How long an ssh login stays up after its last session (0: not shared). */
  sshPersistSeconds: number;
  maxMessageSize?: number;
  askBecomePass: boolean;
  askPass: boolean;
}

/**
 * Checks the connection options.
 *
 * @throws UsageError (`ERR_X_USAGE`) for a missing identity file, an empty or multi-line ssh option or
 *   node path, an unknown host-key policy or a size out of range.
 */
export function parseConnectionFlags(values: Values, cwd: string): ConnectionFlags {
  const defaults: HopDefaults = {};
  if (values.identity !== undefined) {
    const path = resolve(cwd, values.identity.replace(/^~(?=$|\/)/, homedir()));
    if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`--identity ${values.identity}: no such file (${path}).`);
    defaults.identityFile = path;
  }
  for (const option of values['ssh-option'] ?? []) {
    if (!/^\w+\s*[= ]\s*\S/.test(option) || /[\n\0]/.test(option)) {
      throw new UsageError(`--ssh-option '${option}' is not an ssh option; give Name=value, as in -o ProxyJump=bastion or -o ConnectTimeout=5.`);
    }
  }
  if (values['ssh-option'] !== undefined) defaults.sshOptions = values['ssh-option'];
  const nodePath = values['node-path'];
  if (nodePath !== undefined) {
    if (nodePath === '' || /[\n\0]/.test(nodePath)) throw new UsageError(`--node-path takes the path or name of the node binary on the targets, got ${JSON.stringify(nodePath)}.`);
    defaults.nodePath = nodePath;
  }
  const policy = values['check-host-keys'];
  if (policy !== undefined) {
    if (policy !== 'strict' && policy !== 'accept' && policy !== 'ignore') throw new UsageError(`--check-host-keys takes strict, accept or ignore, got '${policy}'.`);
    defaults.checkHostKeys = policy;
  }
  const persist = values['ssh-persist'] ?? '60';
  if (!/^\d{1,6}$/.test(persist)) throw new UsageError(`--ssh-persist takes a number of seconds (0 turns sharing off), got '${persist}'.`);
  const flags: ConnectionFlags = { defaults, sshPersistSeconds: Number(persist), askBecomePass: values['ask-become-pass'] ?? false, askPass: values['ask-pass'] ?? false };
  if (values['max-message-size'] !== undefined) flags.maxMessageSize = parseSize('--max-message-size', values['max-message-size']);
  return flags;
}

/**
 * Puts the shared ssh logins `--ssh-persist` asks for into `flags.defaults`, their sockets in
 * `$XDG_RUNTIME_DIR/x/ssh` or `~/.x/ssh` once `check` (@x/remote's checkMultiplexDirectory) finds that
 * directory private. Sharing is only a saving: where the directory will not do, logins go unshared.
 * @returns why logins are not shared though asked to be, for a warning; undefined otherwise.
 */
export function shareSshLogins(flags: ConnectionFlags, check: (directory: string) => void): string | undefined {
  if (flags.sshPersistSeconds === 0) return undefined;
  const runtime = process.env['XDG_RUNTIME_DIR'];
  const directory = runtime !== undefined && isAbsolute(runtime) ? join(runtime, 'x', 'ssh') : join(homedir(), '.x', 'ssh');
  try {
    check(directory);
  } catch (error) {
    return `ssh logins are not shared (--ssh-persist; 0 turns it off): ${(error as Error).message}`;
  }
  flags.defaults.multiplex = { directory, persistSeconds: flags.sshPersistSeconds };
  return undefined;
}

/** Asks the passwords the flags call for, once each, on the terminal; they go into `flags.defaults`. */
export async function askPasswords(flags: ConnectionFlags): Promise<void> {
  if (flags.askPass) flags.defaults.sshPassword = await askPassword('SSH password: ', '--ask-pass');
  if (flags.askBecomePass) flags.defaults.becomePassword = await askPassword('BECOME password (sudo, su): ', '-K/--ask-become-pass');
}

const units: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
/** The router's bounds for maxMessageSize. */
const minSize = 1024;
const maxSize = 2 ** 32 - 1;

/** `65536`, `64K`, `64M`, `1G` (also `64MiB`, `64mb`): a size in bytes, K/M/G being powers of 1024. */
export function parseSize(option: string, text: string): number {
  const match = /^(\d+)(?:([KMG])(?:i?B)?)?$/i.exec(text.trim());
  const bytes = match ? Number(match[1]) * units[(match[2] ?? '').toUpperCase()]! : Number.NaN;
  if (!match || !Number.isSafeInteger(bytes)) throw new UsageError(`${option} takes a size in bytes, with K, M or G for KiB, MiB, GiB (as in 64M), got '${text}'.`);
  if (bytes < minSize || bytes > maxSize) throw new UsageError(`${option} must be from 1K to 4G less one byte (${maxSize}), got '${text}' (${bytes} bytes).`);
  return bytes;
}
