// Starting a target's chain of contexts through the router: `local` now; ssh, sudo and su through the
// router's methods of the same names as soon as @x/remote has them (part 2), looked up at run time.
import type { Router } from '@x/remote';
import { MethodUnavailableError } from './errors.js';
import { sshEffective } from './ssh-config.js';
import type { Hop, Target } from './targets.js';

/** A context as @x/remote's router gives it. */
export type Context = Awaited<ReturnType<Router['local']>>;

type MethodOptions = Record<string, unknown>;
type Method = (options: MethodOptions) => Promise<Context>;

export interface ConnectOptions {
  signal: AbortSignal;
  connectTimeoutMs?: number;
}

/**
 * Starts every context of `target`'s chain, each through the one before it, pushing each onto
 * `contexts` as soon as it is up (so the caller can shut down what started, even after a failure).
 *
 * @returns the last context: the one the command's work runs in.
 * @throws MethodUnavailableError (`ERR_X_METHOD_UNAVAILABLE`) for ssh, sudo or su before @x/remote part 2.
 */
export async function connect(router: Router, target: Target, options: ConnectOptions, contexts: Context[]): Promise<Context> {
  let via: Context | undefined;
  for (const [index, hop] of target.hops.entries()) {
    options.signal.throwIfAborted();
    const name = index === target.hops.length - 1 ? target.name : `${target.name}[${index}]`;
    const common: MethodOptions = { name };
    if (options.connectTimeoutMs !== undefined) common['connectTimeoutMs'] = options.connectTimeoutMs;
    if (via) common['via'] = via;
    const context = hop.method === 'local' ? await router.local(common as Parameters<Router['local']>[0]) : await start(router, hop, index, common);
    contexts.push(context);
    via = context;
  }
  return via!;
}

async function start(router: Router, hop: Exclude<Hop, { method: 'local' }>, index: number, common: MethodOptions): Promise<Context> {
  const method = (router as unknown as Record<string, unknown>)[hop.method];
  if (typeof method !== 'function') throw new MethodUnavailableError(hop.method);
  if (hop.method !== 'ssh') return (method as Method).call(router, { ...common, username: hop.username });
  const options: MethodOptions = { ...common, hostname: hop.hostname };
  let { username, port } = hop;
  // The first ssh of a chain runs on this machine: ask its ssh what ~/.ssh/config says for the host.
  if (index === 0 && (username === undefined || port === undefined)) {
    const effective = await sshEffective(hop.hostname, username, port, hop.sshArgs);
    username ??= effective?.user;
    port ??= effective?.port;
  }
  if (username !== undefined && username !== '') options['username'] = username;
  if (port !== undefined) options['port'] = port;
  if (hop.identityFile !== undefined) options['identityFile'] = hop.identityFile;
  if (hop.nodePath !== undefined) options['nodePath'] = hop.nodePath;
  if (hop.checkHostKeys !== undefined) options['checkHostKeys'] = hop.checkHostKeys;
  if (hop.sshArgs !== undefined) options['sshArgs'] = hop.sshArgs;
  return (method as Method).call(router, options);
}
