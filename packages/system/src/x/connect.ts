// Starting a target's chain of contexts through the router: `local`, and ssh, sudo and su through the
// router's methods of the same names, looked up at run time.
import type { Router } from '@x/remote';
import { MethodUnavailableError } from './errors.js';
import type { Hop, Target } from './targets.js';

/** A context as @x/remote's router gives it. */
export type Context = Awaited<ReturnType<Router['local']>>;

type MethodOptions = Record<string, unknown>;
type Method = (options: MethodOptions) => Promise<Context>;

/**
 * What the command line sets for every hop (`-i`, `-o`, `--node-path`, `--check-host-keys`, `-K`,
 * `--ask-pass`). What a target or its inventory entry names wins over these; ssh's own configuration
 * decides what neither sets.
 */
export interface HopDefaults {
  /** A private key file, offered alone on every ssh hop without an identity of its own. */
  identityFile?: string;
  /** `-o` options for every ssh hop, after the inventory's own sshArgs (ssh keeps the first value). */
  sshOptions?: string[];
  /** The node binary on every hop (ssh, sudo, su) without a nodePath of its own. */
  nodePath?: string;
  checkHostKeys?: 'strict' | 'accept' | 'ignore';
  /** Typed at the password prompt of a chain's first hop over ssh (a later hop's ssh has no terminal). */
  sshPassword?: string;
  /** Typed at every sudo and su prompt. */
  becomePassword?: string;
}

export interface ConnectOptions {
  signal: AbortSignal;
  connectTimeoutMs?: number;
  defaults?: HopDefaults;
}

/**
 * Starts every context of `target`'s chain, each through the one before it, pushing each onto
 * `contexts` as soon as it is up (so the caller can shut down what started, even after a failure).
 *
 * @returns the last context: the one the command's work runs in.
 * @throws MethodUnavailableError (`ERR_X_METHOD_UNAVAILABLE`) for a method the router lacks.
 */
export async function connect(router: Router, target: Target, options: ConnectOptions, contexts: Context[]): Promise<Context> {
  let via: Context | undefined;
  for (const [index, hop] of target.hops.entries()) {
    options.signal.throwIfAborted();
    const name = index === target.hops.length - 1 ? target.name : `${target.name}[${index}]`;
    const common: MethodOptions = { name };
    if (options.connectTimeoutMs !== undefined) common['connectTimeoutMs'] = options.connectTimeoutMs;
    if (via) common['via'] = via;
    const context = hop.method === 'local' ? await router.local(common as Parameters<Router['local']>[0]) : await start(router, hop, common, options.defaults ?? {});
    contexts.push(context);
    via = context;
  }
  return via!;
}

async function start(router: Router, hop: Exclude<Hop, { method: 'local' }>, common: MethodOptions, defaults: HopDefaults): Promise<Context> {
  const method = (router as unknown as Record<string, unknown>)[hop.method];
  if (typeof method !== 'function') throw new MethodUnavailableError(hop.method);
  const options: MethodOptions = { ...common };
  if (defaults.nodePath !== undefined) options['nodePath'] = defaults.nodePath;
  if (hop.method !== 'ssh') {
    options['username'] = hop.username;
    if (defaults.becomePassword !== undefined) options['password'] = defaults.becomePassword;
    return (method as Method).call(router, options);
  }
  // ssh is given the name the user wrote, so that its own configuration (Host blocks: ProxyJump,
  // User, Port, IdentityFile, HostName) applies as it does to `ssh <alias>`; an inventory's hostname is
  // passed as HostName, which ssh still reads the alias's block with.
  options['hostname'] = hop.alias;
  const sshArgs = [...(hop.sshArgs ?? [])];
  if (hop.hostname !== hop.alias) sshArgs.push('-o', `HostName=${hop.hostname}`);
  for (const option of defaults.sshOptions ?? []) sshArgs.push('-o', option);
  if (sshArgs.length > 0) options['sshArgs'] = sshArgs;
  if (hop.username !== undefined) options['username'] = hop.username;
  if (hop.port !== undefined) options['port'] = hop.port;
  const identityFile = hop.identityFile ?? defaults.identityFile;
  if (identityFile !== undefined) options['identityFile'] = identityFile;
  if (hop.nodePath !== undefined) options['nodePath'] = hop.nodePath;
  const checkHostKeys = hop.checkHostKeys ?? defaults.checkHostKeys;
  if (checkHostKeys !== undefined) options['checkHostKeys'] = checkHostKeys;
  // Only an ssh started here has a terminal to type a password on; one in a context reads files there too.
  if (common['via'] === undefined && defaults.sshPassword !== undefined) options['password'] = defaults.sshPassword;
  return (method as Method).call(router, options);
}
