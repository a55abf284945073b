import { constants } from 'node:os';
import { InvalidArgumentError } from './invalid-argument.js';

const platform = constants.signals as Readonly<Record<string, number | undefined>>;

/** `record[key]` for the record's own keys only, so `'toString'` is not mistaken for a signal. */
function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * The categorized names of seed 001 (fault's `signal_codes`), in the seed's order, each with the
 * identifiers it may stand for on a platform, first present wins.
 */
const table = [
  ['process/suspend', ['SIGTSTP']],
  ['process/resume', ['SIGCONT']],
  ['process/stop', ['SIGSTOP']],
  ['process/continue', ['SIGCONT']],
  ['process/terminate', ['SIGTERM']],
  ['process/quit', ['SIGQUIT']],
  ['process/interrupt', ['SIGINT']],
  ['process/kill', ['SIGKILL']],
  ['limit/cpu', ['SIGXCPU']],
  ['limit/file', ['SIGXFSZ']],
  ['limit/time', ['SIGVTALRM']],
  ['terminal/stop', ['SIGTSTP']],
  ['terminal/query', ['SIGINFO', 'SIGUSR1']],
  ['terminal/delta', ['SIGWINCH']],
  ['terminal/closed', ['SIGHUP']],
  ['terminal/background-read', ['SIGTTIN']],
  ['terminal/background-write', ['SIGTTOU']],
  ['user/1', ['SIGUSR1']],
  ['user/2', ['SIGUSR2']],
  ['exception/floating-point', ['SIGFPE']],
  ['exception/broken-pipe', ['SIGPIPE']],
  ['error/invalid-memory-access', ['SIGBUS']],
  ['error/restricted-memory-access', ['SIGSEGV']],
  ['error/invalid-instruction', ['SIGILL']],
  ['error/invalid-system-call', ['SIGSYS']],
] as const;

/** A categorized signal name of seed 001, such as `'process/terminate'`. */
export type SignalCategory = (typeof table)[number][0];

/** A signal given by its categorized name, its identifier (`'SIGTERM'`) or its number (15). */
export type SignalSpec = SignalCategory | NodeJS.Signals | number;

function buildCodes(): Partial<Record<SignalCategory, number>> {
  const codes: Partial<Record<SignalCategory, number>> = {};
  for (const [name, identifiers] of table) {
    const code = identifiers.map((identifier) => platform[identifier]).find((c) => c !== undefined);
    if (code !== undefined) codes[name] = code;
  }
  return codes;
}

/**
 * Categorized signal name -> signal number on this platform (`'process/terminate'` -> 15). Names whose
 * signal this platform lacks are absent. `'terminal/query'` is SIGINFO where it exists, else SIGUSR1.
 */
export const signalCodes: Readonly<Partial<Record<SignalCategory, number>>> = Object.freeze(buildCodes());

/**
 * Signal number -> categorized name (15 -> `'process/terminate'`).
 *
 * Where two names share a number, the one later in the seed's table wins, as in fault:
 * SIGTSTP is `'terminal/stop'` (not `'process/suspend'`), SIGCONT is `'process/continue'` (not
 * `'process/resume'`), and on platforms without SIGINFO, SIGUSR1 is `'user/1'` (not `'terminal/query'`).
 */
export const signalNames: ReadonlyMap<number, SignalCategory> = new Map(
  (Object.entries(signalCodes) as [SignalCategory, number][]).map(([name, code]) => [code, name]),
);

/**
 * Signal number -> the identifier of the POSIX headers (15 -> `'SIGTERM'`), for every signal Node
 * knows on this platform. Where two identifiers share a number, the one Node lists first wins
 * (SIGABRT over SIGIOT, SIGIO over SIGPOLL).
 */
export const signalIdentifiers: ReadonlyMap<number, NodeJS.Signals> = new Map(
  (Object.entries(platform) as [NodeJS.Signals, number][]).reverse().map(([identifier, code]) => [code, identifier]),
);

/**
 * Signals whose default action ends the process and that a program commonly catches to end cleanly
 * (fault's `fatal_signals`): SIGINT, SIGTERM, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGUSR1, SIGUSR2.
 */
export const fatalSignals: ReadonlySet<number> = new Set(
  ['SIGINT', 'SIGTERM', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGUSR1', 'SIGUSR2']
    .map((identifier) => platform[identifier])
    .filter((code): code is number => code !== undefined),
);

/**
 * The number of a signal given by its categorized name or identifier.
 *
 * @example
 * import { signalCode } from '@x/signals';
 * process.kill(child.pid, signalCode('process/terminate'));
 * @throws `ERR_X_INVALID_ARG` for a name this platform does not have.
 */
export function signalCode(name: SignalCategory | NodeJS.Signals): number {
  const code = typeof name === 'string' ? (own(signalCodes, name) ?? own(platform, name)) : undefined;
  if (code === undefined) {
    throw new InvalidArgumentError('name', 'a categorized signal name (see signalCodes) or a signal identifier', name);
  }
  return code;
}

/**
 * The categorized name of a signal number (15 -> `'process/terminate'`).
 *
 * @throws `ERR_X_INVALID_ARG` for a number that is not a signal with a categorized name here (SIGCHLD
 *   has none: use `signalIdentifiers` for those).
 */
export function signalName(code: number): SignalCategory {
  const name = signalNames.get(code);
  if (name === undefined) {
    throw new InvalidArgumentError('code', 'the number of a signal with a categorized name (see signalNames)', code);
  }
  return name;
}

/** A signal resolved to both of its forms. */
export interface ResolvedSignal {
  identifier: NodeJS.Signals;
  code: number;
}

/** Resolves any accepted form of a signal, or throws `ERR_X_INVALID_ARG` naming `argument`. */
export function resolveSignal(signal: SignalSpec, argument: string): ResolvedSignal {
  const code =
    typeof signal === 'number' ? signal : typeof signal === 'string' ? (own(signalCodes, signal) ?? own(platform, signal)) : undefined;
  const identifier = code === undefined ? undefined : signalIdentifiers.get(code);
  if (code === undefined || identifier === undefined) {
    throw new InvalidArgumentError(
      argument,
      "a signal: a categorized name ('process/terminate'), an identifier ('SIGTERM') or a number (15)",
      signal,
    );
  }
  return { identifier, code };
}
