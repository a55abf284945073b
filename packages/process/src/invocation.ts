import { fsPwd } from './fs-pwd.js';
import { InvalidArgumentError } from './errors.js';
import { requestExit } from './end.js';

/** What `Invocation.system` snapshots. */
export interface SystemInvocationOptions {
  /** The names of the environment variables to snapshot into `environ` (default: none). */
  environ?: Iterable<string>;
}

/** The parts of an invocation given to `new Invocation`. */
export interface InvocationInit {
  /** The environment variables this invocation carries (the whole environment of a program to run). */
  environ?: Record<string, string>;
  /** The working directory (default: `fsPwd()`). */
  directory?: string;
}

/**
 * How a program is (or is to be) invoked: its executable, arguments, the environment variables it
 * reacts to and its working directory. `Invocation.system()` describes this process; `new Invocation`
 * describes a program to start with `daemon` or `systemExecute`.
 *
 * @example
 * import { Invocation } from '@x/process';
 * const invocation = Invocation.system({ environ: ['HOME', 'LANG'] });
 * console.log(invocation.args, invocation.environ.HOME, invocation.directory);
 */
/** Throws `ERR_X_INVALID_ARG` unless `value` is an Invocation. */
export function checkInvocation(value: unknown): asserts value is Invocation {
  if (!(value instanceof Invocation)) {
    throw new InvalidArgumentError('invocation', "an Invocation (new Invocation(executable, args) or Invocation.system())", value);
  }
}

export class Invocation {
  /** The program's executable: a path, or a name searched in `PATH` when started. */
  readonly executable: string;
  /** The program's arguments (for this process: `process.argv.slice(2)`). */
  readonly args: readonly string[];
  /** The snapshot of the environment variables asked for (a name absent from the environment is absent here). */
  readonly environ: Readonly<Record<string, string>>;
  /** The working directory when the invocation was made. */
  readonly directory: string;
  /** The full argument vector: for this process `process.argv`, otherwise `[executable, ...args]`. */
  readonly argv: readonly string[];

  /**
   * @param executable a path, or a name to search in `PATH`.
   * @param args the arguments, without argv[0].
   * @throws `ERR_X_INVALID_ARG` for an empty executable or an argument that is not a string.
   */
  constructor(executable: string, args: readonly string[] = [], init: InvocationInit = {}) {
    if (typeof executable !== 'string' || executable === '') {
      throw new InvalidArgumentError('executable', 'a non-empty string', executable);
    }
    if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) {
      throw new InvalidArgumentError('args', 'an array of strings', args);
    }
    this.executable = executable;
    this.args = Object.freeze([...args]);
    this.environ = Object.freeze({ ...(init.environ ?? {}) });
    this.directory = init.directory ?? fsPwd();
    this.argv = Object.freeze([executable, ...args]);
  }

  /**
   * Describes this process: `executable` is Node itself, `args` the program's arguments, `environ` the
   * snapshot of the named variables, `directory` the working directory (`PWD` when it is set).
   *
   * @throws `ERR_X_INVALID_ARG` when `environ` is not an iterable of strings.
   */
  static system(options: SystemInvocationOptions = {}): Invocation {
    const names = options.environ ?? [];
    if (typeof (names as Iterable<string>)[Symbol.iterator] !== 'function' || typeof names === 'string') {
      throw new InvalidArgumentError('options.environ', 'an iterable of variable names', names);
    }
    const environ: Record<string, string> = {};
    for (const name of names) {
      if (typeof name !== 'string') throw new InvalidArgumentError('options.environ', 'an iterable of variable names', name);
      const value = process.env[name];
      if (value !== undefined) environ[name] = value;
    }
    const invocation = new Invocation(process.execPath, process.argv.slice(2), { environ });
    Object.defineProperty(invocation, 'argv', { value: Object.freeze([...process.argv]) });
    return invocation;
  }

  /**
   * Ends this program with `status` after the `onExit` cleanup: under `control(main)` as if main had
   * returned `status` (main is abandoned), otherwise through `process.exit(status)`.
   *
   * @throws `ERR_X_INVALID_ARG` for a status that is not an integer from 0 to 255.
   */
  exit(status: number): void {
    if (!Number.isInteger(status) || status < 0 || status > 255) {
      throw new InvalidArgumentError('status', 'an integer from 0 to 255', status);
    }
    requestExit(status);
  }
}
