// Starting a target's chain of contexts through the router: `local`, and ssh, sudo and su through the
// router's methods of the same names, looked up at run time.
import type { Router } from '@x/remote';
import { MethodUnavailableError } from './errors.js';
import { type Closable, type SharedHops, prefixKey } from './shared-hops.js';
import type { Hop, Target } from './targets.js';

/** The module x ping ships, which also says which node a context runs (a sibling of the built x.js). */
const pingTask = new URL('./ping-task.js', import.meta.url);

/** A context as @x/remote's router gives it. */
export type Context = Awaited<ReturnType<Router['local']>>;

type MethodOptions = Record<string, unknown>;

/** A started hop: its context, and the node it was told to run (undefined: the method's default). */
interface StartedHop {
  context: Context;
  nodePath: string | undefined;
}
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
  /**
   * The node binary on every ssh hop without a nodePath of its own, and on a sudo or su hop that starts a
   * chain (a sudo or su hop after another hop runs the node that hop runs).
   */
  nodePath?: string;
  checkHostKeys?: 'strict' | 'accept' | 'ignore';
  /** Typed at the password prompt of a chain's first hop over ssh (a later hop's ssh has no terminal). */
  sshPassword?: string;
  /** Typed at every sudo and su prompt. */
  becomePassword?: string;
  /** Shared ssh logins (`--ssh-persist`), for every ssh started here (not one started in a context). */
  multiplex?: { directory: string; persistSeconds: number };
}

export interface ConnectOptions {
  signal: AbortSignal;
  connectTimeoutMs?: number;
  defaults?: HopDefaults;
  /** The command's shared hops: every hop but a chain's last is taken from here (see shared-hops.ts). */
  shared?: SharedHops;
}

/**
 * Starts every context of `target`'s chain, each through the one before it, pushing each onto
 * `contexts` as soon as it is up (so the caller can shut down what started, even after a failure). With
 * `options.shared`, the hops before the last are shared with the command's other targets whose chains
 * begin the same way; what is pushed for those is this target's hold on them.
 *
 * @returns the last context: the one the command's work runs in.
 * @throws MethodUnavailableError (`ERR_X_METHOD_UNAVAILABLE`) for a method the router lacks.
 */
export async function connect(router: Router, target: Target, options: ConnectOptions, contexts: Closable[]): Promise<Context> {
  let via: Context | undefined;
  /** The node the previous hop was told to run: a sudo or su hop after it runs on the same host. */
  let nodePath: string | undefined;
  for (const [index, hop] of target.hops.entries()) {
    options.signal.throwIfAborted();
    const last = index === target.hops.length - 1;
    const shared = last ? undefined : options.shared;
    const name = last ? target.name : shared === undefined ? `${target.name}[${index}]` : chainName(target.hops.slice(0, index + 1));
    const common: MethodOptions = { name };
    if (options.connectTimeoutMs !== undefined) common['connectTimeoutMs'] = options.connectTimeoutMs;
    if (via) common['via'] = via;
    const previous = via === undefined ? undefined : nodePath;
    const become = target.hops[index + 1];
    if (hop.method === 'ssh' && index + 2 === target.hops.length && become?.method === 'sudo' && becomesInOne(hop, options, prefixKey(target.hops, index + 1))) {
      const context = await startBecoming(router, hop, become.username, { ...common, name: target.name }, options.defaults ?? {});
      if (context !== undefined) {
        contexts.push(context);
        return context;
      }
    }
    const startHop = (): Promise<StartedHop> =>
      hop.method === 'local'
        ? router.local(common as Parameters<Router['local']>[0]).then((context) => ({ context, nodePath: undefined }))
        : start(router, hop, common, options.defaults ?? {}, previous);
    let started: StartedHop;
    if (shared === undefined) {
      started = await startHop();
      contexts.push(started.context);
    } else {
      // The hold is taken before the start is awaited, so a target given up meanwhile still lets go of it.
      const { started: sharedStart, lease } = shared.acquire(prefixKey(target.hops, index + 1), startHop);
      contexts.push(lease);
      started = await sharedStart;
    }
    ({ nodePath } = started);
    via = started.context;
  }
  return via!;
}

/**
 * Whether an ssh hop and the sudo hop that ends the chain can be one process on the far side (the login
 * runs `sudo -n`, as Ansible's become does): no other target shares the login, no become password is
 * to be typed (sudo -n never prompts), and the node is named by a path the login's shell resolves as the
 * sudo hop would have been told it (absolute, or under a home with `~`), not looked up in sudo's PATH.
 */
function becomesInOne(hop: Extract<Hop, { method: 'ssh' }>, options: ConnectOptions, key: string): boolean {
  const nodePath = hop.nodePath ?? options.defaults?.nodePath;
  return (options.shared?.expected(key) ?? 1) <= 1 && options.defaults?.becomePassword === undefined && nodePath !== undefined && /^[/~]/.test(nodePath);
}

/**
 * Starts the ssh hop with sudo in its command: the target's one context. Undefined when sudo refused
 * (a password is required, the account may not sudo...): the caller then starts the two hops apart, so
 * the sudo hop prompts or fails with its own error.
 */
async function startBecoming(router: Router, hop: Extract<Hop, { method: 'ssh' }>, username: string, common: MethodOptions, defaults: HopDefaults): Promise<Context | undefined> {
  try {
    return (await start(router, hop, common, defaults, undefined, username)).context;
  } catch (error) {
    const tail = (error as { stderrTail?: unknown }).stderrTail;
    if (typeof tail === 'string' && /^sudo: /m.test(tail)) return undefined;
    throw error;
  }
}

/** A shared hop's name: the chain up to it as `--on` writes it (`deploy@bastion:2222/sudo:root`). */
function chainName(hops: Hop[]): string {
  return hops
    .map((hop) => {
      if (hop.method === 'local') return 'local';
      if (hop.method !== 'ssh') return `${hop.method}:${hop.username}`;
      return `${hop.username === undefined ? '' : `${hop.username}@`}${hop.alias}${hop.port === undefined ? '' : `:${hop.port}`}`;
    })
    .join('/');
}

/**
 * Starts one sudo, su or ssh hop. `previous`: the node the hop before this one was told to run, when
 * that hop runs on this hop's host.
 * @returns the context, and the node it was told to run (undefined: the method's default).
 */
async function start(
  router: Router,
  hop: Exclude<Hop, { method: 'local' }>,
  common: MethodOptions,
  defaults: HopDefaults,
  previous: string | undefined,
  become?: string,
): Promise<StartedHop> {
  const method = (router as unknown as Record<string, unknown>)[hop.method];
  if (typeof method !== 'function') throw new MethodUnavailableError(hop.method);
  const options: MethodOptions = { ...common };
  if (hop.method !== 'ssh') {
    // sudo and su run on the host of the hop before them, whose node serves them too: sudo's
    // secure_path seldom holds a node installed per user (nvm). Its ~ or PATH lookup was that
    // login's, not the new account's, so the path it led to is asked for.
    const nodePath = previous === undefined ? defaults.nodePath : await sameNode(common['via'] as Context, previous);
    if (nodePath !== undefined) options['nodePath'] = nodePath;
    options['username'] = hop.username;
    if (defaults.becomePassword !== undefined) options['password'] = defaults.becomePassword;
    return { context: await (method as Method).call(router, options), nodePath };
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
  const nodePath = hop.nodePath ?? defaults.nodePath;
  if (nodePath !== undefined) options['nodePath'] = nodePath;
  const checkHostKeys = hop.checkHostKeys ?? defaults.checkHostKeys;
  if (checkHostKeys !== undefined) options['checkHostKeys'] = checkHostKeys;
  // Only an ssh started here has a terminal to type a password on; one in a context reads files there too.
  if (common['via'] === undefined && defaults.sshPassword !== undefined) options['password'] = defaults.sshPassword;
  // A control socket is a path on the host ssh runs on: only one started here has x's directory.
  if (common['via'] === undefined && defaults.multiplex !== undefined) options['multiplex'] = defaults.multiplex;
  if (become !== undefined) options['become'] = { username: become };
  return { context: await (method as Method).call(router, options), nodePath };
}

/** The node `via` runs, named `nodePath`: as it is when absolute, else as `via` found it (its ~, its PATH). */
async function sameNode(via: Context, nodePath: string): Promise<string> {
  return nodePath.startsWith('/') ? nodePath : via.call<string>(pingTask, 'execPath');
}
