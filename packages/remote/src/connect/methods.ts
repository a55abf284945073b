// The connection methods other than `local`: each builds the command that starts the first stage
// (the argv and how to answer its prompts); the router runs it here or in a `via` context.
// The first-stage command is first-stage.ts's; callers that build a method's command find it here too.
export { firstStageArgv } from './first-stage.js';
import { InvalidArgumentError } from '../errors.js';
import type { Context } from '../calls/context.js';
import type { PromptRules } from './stdio-connect.js';
import { multiplexArgs, type SshMultiplex } from './ssh-multiplex.js';

export { checkMultiplexDirectory, type SshMultiplex } from './ssh-multiplex.js';

/** Options every method takes. */
export interface MethodOptions {
  /** The context's name, in log records and its process title `node (x:<name>)`. */
  name?: string;
  /**
   * The node binary on the target: a name looked up in the target's PATH, or a path (default `'node'`).
   * A leading `~/` or `~user/` is expanded by the target's shell (`~/.nvm/versions/node/v20.19.0/bin/node`);
   * the rest is passed as it is.
   */
  nodePath?: string;
  /** How long connecting (login, prompts, bootstrap) may take, in milliseconds (default 30000). */
  connectTimeoutMs?: number;
  /** Run the command in this context instead of this process: the chain is routed through it. */
  via?: Context;
}

/** How ssh treats the host's key (see {@link SshOptions.checkHostKeys}); `'enforce'` is another name for `'strict'`. */
export type HostKeyPolicy = 'strict' | 'enforce' | 'accept' | 'ignore';

export interface SshOptions extends MethodOptions {
  hostname: string;
  /** The login name (default: ssh's own default, from ~/.ssh/config or the local user). */
  username?: string;
  port?: number;
  /** A private key file (`-i`); only it is offered (`IdentitiesOnly yes`). */
  identityFile?: string;
  /**
   * x's host-key policy, when one is wanted. Unset (the default): no `StrictHostKeyChecking` is passed, so
   * ssh's own configuration decides (~/.ssh/config; ssh's default refuses an unknown key in BatchMode).
   * `'strict'` (`'enforce'` is the same): an unknown or changed host key fails with HostKeyError.
   * `'accept'`: an unknown key is added to known_hosts (a changed one still fails). `'ignore'`: no host key
   * is checked or stored.
   */
  checkHostKeys?: HostKeyPolicy;
  /** Typed once at ssh's password prompt, on a pty; without it ssh runs in BatchMode (keys or agent only). */
  password?: string;
  /** Extra ssh arguments, placed first: ssh keeps the first value of an option, so these override ours. */
  sshArgs?: string[];
  /** The ssh client (default `'ssh'`). */
  sshPath?: string;
  /** Keepalive probes: one every `keepaliveIntervalMs` (default 15000), up to `keepaliveCount` (default 3) unanswered before the connection is dropped. */
  keepaliveIntervalMs?: number;
  keepaliveCount?: number;
  /** ssh compression (`-C`; default false: it costs CPU and gains little on fast links). */
  compression?: boolean;
  /**
   * Become another account on the far side in the same command: the login's shell runs
   * `sudo -n -u <username> -- <the first stage>`, so the context is one Node process running as that
   * account, not a login context with a sudo context behind it. `-n`: sudo never prompts; where it
   * wants a password it fails at once ("sudo: a password is required"), and a sudo hop through `via`
   * (`router.sudo`), which can type one, is the way there.
   */
  become?: { username?: string; sudoPath?: string };
  /**
   * Share one ssh connection per destination between contexts and between programs (OpenSSH's ControlMaster
   * and ControlPersist): the first login stays up as a master for `persistSeconds` after its last session
   * and later ones open a session on it, with no new key exchange or authentication. Only for ssh run by
   * this process (not through `via`). Connections are shared only when every option that decides how a
   * connection is made and checked is the same (host, port, user, key, host-key policy, sshArgs...).
   */
  multiplex?: SshMultiplex;
}

export interface SudoOptions extends MethodOptions {
  /** The account to become (default `'root'`). */
  username?: string;
  /** Typed once at sudo's prompt (sudo runs with `-S` and a fixed `-p` prompt). */
  password?: string;
  /** The sudo binary (default `'sudo'`). */
  sudoPath?: string;
  /** `-E`, `-H`, `-i`. */
  preserveEnv?: boolean;
  setHome?: boolean;
  login?: boolean;
  /** Extra sudo arguments (before `--`). */
  sudoArgs?: string[];
}

export interface SuOptions extends MethodOptions {
  /** The account to become (default `'root'`). */
  username?: string;
  /** Typed once at su's prompt. */
  password?: string;
  /** The su binary (default `'su'`). */
  suPath?: string;
  /** Matches su's password prompt (the unfinished last line); the default knows English and a few translations. */
  passwordPrompt?: RegExp;
  /** Lines meaning the password was refused (default: "Authentication failure", "incorrect password", ...). */
  incorrectPrompts?: RegExp[];
}

export interface DockerOptions extends MethodOptions {
  /** The container's name or id. */
  container: string;
  /** `-u`: the user inside the container. */
  username?: string;
  /** The docker (or podman) binary (default `'docker'` / `'podman'`). */
  dockerPath?: string;
}

export interface KubectlOptions extends MethodOptions {
  pod: string;
  /** `-c`: the container in the pod. */
  container?: string;
  /** `-n`. */
  namespace?: string;
  /** Extra kubectl arguments, before `exec` (`--context`, `--kubeconfig`). */
  kubectlArgs?: string[];
  /** The kubectl binary (default `'kubectl'`). */
  kubectlPath?: string;
}

/** A method's command, before the core's length is known. */
export interface MethodPlan {
  method: string;
  /** The name given, if any. */
  name: string | undefined;
  /** Where the context runs, for messages. */
  where: string;
  defaultName: string;
  nodePath: string;
  connectTimeoutMs: number;
  via: Context | undefined;
  /** Whether the command needs a terminal for its prompts (ssh with a password). */
  terminal: boolean;
  rules: PromptRules;
  /** The whole argv, given the first-stage command (`node -e <first stage> <name> <length>`). */
  argv: (firstStage: string[]) => string[];
}

/** sudo prints this exact prompt (`-p`), so no translation or banner is mistaken for it. */
export const SUDO_PROMPT = 'x-remote-sudo-password:';
const SUDO_PROMPT_PATTERN = /x-remote-sudo-password:/;
const SSH_PROMPT = /(password|passphrase)[^\n]*:\s*$/i;
const SU_PROMPT = /(password|passwort|mot de passe|contraseña|senha|wachtwoord|пароль|密码|パスワード)[^\n]*[:：]\s*$/i;
const SU_INCORRECT = [/authentication failure/i, /incorrect password/i, /su: sorry/i, /su: permission denied/i];

/** Quotes `words` for a POSIX shell (what ssh and `su -c` hand the command to). */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `~/` or `~user/` at the start of a path. The slash belongs to it: a quoted one would stop the expansion. */
const HOME_PREFIX = /^~[A-Za-z0-9._-]*(?:\/|$)/;

/**
 * The first-stage command as one shell command line: every word quoted, except the leading `~/` or
 * `~user/` of `nodePath`, which the target's shell expands to that home directory (where nvm puts Node).
 */
export function shellCommand(words: readonly string[], nodePath: string): string {
  const home = HOME_PREFIX.exec(nodePath)?.[0];
  return words
    .map((word) => {
      if (home === undefined || word !== nodePath) return shellQuote(word);
      const rest = word.slice(home.length);
      return rest === '' ? home : `${home}${shellQuote(rest)}`;
    })
    .join(' ');
}

/** The first stage for a method that execs it without a shell: through `sh -c` when `nodePath` needs `~` expanded. */
function execCommand(words: string[], nodePath: string): string[] {
  return HOME_PREFIX.test(nodePath) ? ['/bin/sh', '-c', `exec ${shellCommand(words, nodePath)}`] : words;
}

export function sshPlan(options: SshOptions): MethodPlan {
  const common = checkCommon(options);
  const { hostname, username, port, identityFile, checkHostKeys, password, sshArgs = [], sshPath = 'ssh', keepaliveIntervalMs = 15_000, keepaliveCount = 3, compression = false, become, multiplex } = options;
  if (typeof hostname !== 'string' || !/^[^\s-][^\s]*$/.test(hostname)) throw new InvalidArgumentError('hostname', 'a host name or address (no spaces, not starting with -)', hostname);
  if (username !== undefined && (typeof username !== 'string' || !/^[^\s-@][^\s@]*$/.test(username))) throw new InvalidArgumentError('username', 'a login name (no spaces or @, not starting with -)', username);
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new InvalidArgumentError('port', 'an integer from 1 to 65535', port);
  if (identityFile !== undefined && (typeof identityFile !== 'string' || identityFile === '')) throw new InvalidArgumentError('identityFile', 'the path of a private key file', identityFile);
  if (checkHostKeys !== undefined && !['strict', 'enforce', 'accept', 'ignore'].includes(checkHostKeys)) {
    throw new InvalidArgumentError('checkHostKeys', "'strict' (or 'enforce'), 'accept', 'ignore' or undefined (ssh's configuration decides)", checkHostKeys);
  }
  checkPassword(password);
  checkStrings('sshArgs', sshArgs);
  checkPath('sshPath', sshPath);
  if (!Number.isInteger(keepaliveIntervalMs) || keepaliveIntervalMs < 1000) throw new InvalidArgumentError('keepaliveIntervalMs', 'an integer number of milliseconds >= 1000', keepaliveIntervalMs);
  if (!Number.isInteger(keepaliveCount) || keepaliveCount < 1) throw new InvalidArgumentError('keepaliveCount', 'an integer >= 1', keepaliveCount);
  if (typeof compression !== 'boolean') throw new InvalidArgumentError('compression', 'a boolean', compression);
  if (become !== undefined && (typeof become !== 'object' || become === null)) throw new InvalidArgumentError('become', 'an object: { username?, sudoPath? }', become);
  const becomeUser = become?.username ?? 'root';
  const becomePath = become?.sudoPath ?? 'sudo';
  if (become !== undefined) {
    checkUser(becomeUser);
    checkPath('become.sudoPath', becomePath);
  }
  if (password !== undefined && common.via !== undefined) {
    // A password needs a terminal for ssh, and a context has no way to open one without native code.
    throw new InvalidArgumentError('password', 'absent when ssh runs through via (use a key: a context cannot open the terminal ssh reads passwords from)', '<a password>');
  }
  const hostKeyOptions = checkHostKeys === undefined ? [] : {
    strict: ['-o', 'StrictHostKeyChecking=yes'],
    enforce: ['-o', 'StrictHostKeyChecking=yes'],
    accept: ['-o', 'StrictHostKeyChecking=accept-new'],
    ignore: ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null'],
  }[checkHostKeys];
  if (multiplex !== undefined && common.via !== undefined) {
    throw new InvalidArgumentError('multiplex', 'absent when ssh runs through via (its control sockets would be on the via host)', multiplex);
  }
  const sharing = multiplex === undefined ? [] : multiplexArgs(multiplex, [sshPath, hostname, port, username, identityFile, checkHostKeys, sshArgs, compression, password !== undefined]);
  const where = `${username === undefined ? '' : `${username}@`}${hostname}${port === undefined ? '' : `:${port}`}`;
  const becoming = become === undefined ? '' : `, sudo to ${becomeUser}`;
  return {
    ...common,
    method: 'ssh',
    where: `ssh ${where}${becoming}`,
    defaultName: `ssh:${where}${become === undefined ? '' : `/sudo:${becomeUser}`}`,
    terminal: password !== undefined,
    // "user@host: Permission denied (publickey)." or, after a password, "Permission denied, please try
    // again."; a remote shell's "node: Permission denied" is neither.
    rules: { method: 'ssh', password, prompt: SSH_PROMPT, incorrect: [/Permission denied \(/, /Permission denied, please try again/] },
    argv: (firstStage) => [
      sshPath,
      ...sshArgs,
      '-o', 'LogLevel=ERROR',
      '-o', `BatchMode=${password === undefined ? 'yes' : 'no'}`,
      '-o', `ServerAliveInterval=${Math.ceil(keepaliveIntervalMs / 1000)}`,
      '-o', `ServerAliveCountMax=${keepaliveCount}`,
      '-o', `ConnectTimeout=${Math.max(1, Math.ceil(common.connectTimeoutMs / 1000))}`,
      ...hostKeyOptions,
      ...(identityFile === undefined ? [] : ['-i', identityFile, '-o', 'IdentitiesOnly=yes']),
      ...(port === undefined ? [] : ['-p', String(port)]),
      ...(username === undefined ? [] : ['-l', username]),
      ...(compression ? ['-C'] : []),
      ...sharing,
      '-T',
      '--',
      hostname,
      shellCommand(become === undefined ? firstStage : [becomePath, '-n', '-u', becomeUser, '--', ...firstStage], common.nodePath),
    ],
  };
}

export function sudoPlan(options: SudoOptions): MethodPlan {
  const common = checkCommon(options);
  const { username = 'root', password, sudoPath = 'sudo', preserveEnv = false, setHome = false, login = false, sudoArgs = [] } = options;
  checkUser(username);
  checkPassword(password);
  checkPath('sudoPath', sudoPath);
  checkStrings('sudoArgs', sudoArgs);
  for (const [key, value] of Object.entries({ preserveEnv, setHome, login })) if (typeof value !== 'boolean') throw new InvalidArgumentError(key, 'a boolean', value);
  return {
    ...common,
    method: 'sudo',
    where: `sudo to ${username}`,
    defaultName: `sudo:${username}`,
    terminal: false,
    rules: { method: 'sudo', password, prompt: SUDO_PROMPT_PATTERN, incorrect: [/sorry, try again/i, /incorrect password attempt/i] },
    // -S: the password comes on stdin, so no terminal is needed even several hops away.
    argv: (firstStage) => [sudoPath, '-S', '-p', SUDO_PROMPT, '-u', username, ...(preserveEnv ? ['-E'] : []), ...(setHome ? ['-H'] : []), ...(login ? ['-i'] : []), ...sudoArgs, '--', ...execCommand(firstStage, common.nodePath)],
  };
}

export function suPlan(options: SuOptions): MethodPlan {
  const common = checkCommon(options);
  const { username = 'root', password, suPath = 'su', passwordPrompt = SU_PROMPT, incorrectPrompts = SU_INCORRECT } = options;
  checkUser(username);
  checkPassword(password);
  checkPath('suPath', suPath);
  if (!(passwordPrompt instanceof RegExp)) throw new InvalidArgumentError('passwordPrompt', 'a RegExp', passwordPrompt);
  if (!Array.isArray(incorrectPrompts) || !incorrectPrompts.every((pattern) => pattern instanceof RegExp)) {
    throw new InvalidArgumentError('incorrectPrompts', 'an array of RegExps', incorrectPrompts);
  }
  return {
    ...common,
    method: 'su',
    where: `su to ${username}`,
    defaultName: `su:${username}`,
    terminal: false,
    rules: { method: 'su', password, prompt: passwordPrompt, incorrect: incorrectPrompts },
    argv: (firstStage) => [suPath, username, '-c', shellCommand(firstStage, common.nodePath)],
  };
}

/** `docker exec -i` (or podman's, which takes the same arguments). */
export function dockerPlan(options: DockerOptions, engine: 'docker' | 'podman'): MethodPlan {
  const common = checkCommon(options);
  const { container, username, dockerPath = engine } = options;
  if (typeof container !== 'string' || !/^[^\s-]\S*$/.test(container)) throw new InvalidArgumentError('container', 'a container name or id', container);
  if (username !== undefined) checkUser(username);
  checkPath('dockerPath', dockerPath);
  return {
    ...common,
    method: engine,
    where: `${engine} container ${container}`,
    defaultName: `${engine}:${container}`,
    terminal: false,
    rules: { method: engine, password: undefined, prompt: undefined, incorrect: [] },
    argv: (firstStage) => [dockerPath, 'exec', '-i', ...(username === undefined ? [] : ['-u', username]), container, ...execCommand(firstStage, common.nodePath)],
  };
}

export function kubectlPlan(options: KubectlOptions): MethodPlan {
  const common = checkCommon(options);
  const { pod, container, namespace, kubectlArgs = [], kubectlPath = 'kubectl' } = options;
  if (typeof pod !== 'string' || !/^[^\s-]\S*$/.test(pod)) throw new InvalidArgumentError('pod', 'a pod name', pod);
  if (container !== undefined && (typeof container !== 'string' || !/^[^\s-]\S*$/.test(container))) throw new InvalidArgumentError('container', 'a container name', container);
  if (namespace !== undefined && (typeof namespace !== 'string' || !/^[^\s-]\S*$/.test(namespace))) throw new InvalidArgumentError('namespace', 'a namespace name', namespace);
  checkStrings('kubectlArgs', kubectlArgs);
  checkPath('kubectlPath', kubectlPath);
  return {
    ...common,
    method: 'kubectl',
    where: `kubectl pod ${namespace === undefined ? '' : `${namespace}/`}${pod}`,
    defaultName: `kubectl:${pod}`,
    terminal: false,
    rules: { method: 'kubectl', password: undefined, prompt: undefined, incorrect: [] },
    argv: (firstStage) => [
      kubectlPath,
      ...kubectlArgs,
      'exec',
      '-i',
      ...(namespace === undefined ? [] : ['-n', namespace]),
      ...(container === undefined ? [] : ['-c', container]),
      pod,
      '--',
      ...execCommand(firstStage, common.nodePath),
    ],
  };
}

function checkCommon(options: MethodOptions): Pick<MethodPlan, 'nodePath' | 'connectTimeoutMs' | 'via'> & { name: string | undefined } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object', options);
  const { name, nodePath = 'node', connectTimeoutMs = 30_000, via } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.length > 100 || /[\n\0]/.test(name))) {
    throw new InvalidArgumentError('name', 'a non-empty string of at most 100 characters without newlines', name);
  }
  checkPath('nodePath', nodePath);
  if (typeof connectTimeoutMs !== 'number' || !Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new InvalidArgumentError('connectTimeoutMs', 'a finite number of milliseconds > 0', connectTimeoutMs);
  }
  if (via !== undefined && (typeof via !== 'object' || via === null || typeof via.id !== 'number' || typeof via.call !== 'function')) {
    throw new InvalidArgumentError('via', 'a Context of this router', via);
  }
  return { name, nodePath, connectTimeoutMs, via };
}

function checkPassword(password: unknown): void {
  if (password !== undefined && (typeof password !== 'string' || password === '' || /[\n\r\0]/.test(password))) {
    throw new InvalidArgumentError('password', 'a non-empty string without newlines', '<a password>');
  }
}

function checkUser(username: unknown): void {
  if (typeof username !== 'string' || !/^[^\s-][^\s]*$/.test(username)) throw new InvalidArgumentError('username', 'an account name (no spaces, not starting with -)', username);
}

function checkPath(argument: string, path: unknown): void {
  if (typeof path !== 'string' || path === '' || /[\n\0]/.test(path)) throw new InvalidArgumentError(argument, 'a program name or path', path);
}

function checkStrings(argument: string, value: unknown): void {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new InvalidArgumentError(argument, 'an array of strings', value);
}
