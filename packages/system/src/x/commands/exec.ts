import { StringDecoder } from 'node:string_decoder';
import type { ExecOptions, ExecStatus, OutputChunk } from '../../exec-task.js';
import type { Command } from '../command.js';
import type { Display } from '../display.js';
import { CommandFailedError, UsageError } from '../errors.js';

const usage = 'x exec --on TARGETS [OPTIONS] [--] COMMAND [ARG...]';

// Built next to this module as dist/exec-task.js; @x/remote ships it to each target on the first call.
const execTask = new URL('./exec-task.js', import.meta.url);

/** `x exec`: run a command on every target, streaming its output line by line with the target's name. */
export const exec: Command = {
  name: 'exec',
  summary: 'run a command on every target, streaming its output prefixed with the target name',
  usage,
  restAfterFirst: true,
  options: { stdin: { type: 'boolean' }, env: { type: 'string', multiple: true }, cwd: { type: 'string' }, tty: { type: 'boolean' } },
  help: `Runs COMMAND with its arguments on every target (no shell: use sh -c '…' for pipes and
globs), with stdin on /dev/null unless --stdin. Its output streams as it comes, each line
prefixed with the target's name (colored on a terminal, plain in a pipe); its stdout goes to
stdout and its stderr to stderr. A target whose command exits with a status other than 0 (or is killed by a signal)
fails; the summary shows each exit status. Options go before COMMAND; everything after it is the
command's own. With --json, the output is not streamed: each target's line carries it as stdout
and stderr, beside exitCode and signal.

Its own options (before COMMAND):
  --stdin            read x's stdin to its end, then give it to the command on every target
                     (at most --max-message-size, 128 MiB by default)
  --env NAME=VALUE   set a variable in the command's environment (repeatable)
  --cwd DIR          run the command in DIR on each target (an absolute path there)
  --tty              run it on a terminal (a pty made by util-linux script on the target, sized as
                     x's own or 80x24): stdout and stderr come as one stream, with CRLF line ends

Examples:
  x exec --on local*4 -- uname -a
  x exec --on @web -- systemctl is-active nginx
  x exec --on 'web1,web2' --parallel 1 --fail-fast -- sh -c 'df -h / | tail -1'
  x exec --on @all --json -- cat /etc/os-release > releases.jsonl
  x exec --on @web --env LANG=C --cwd /srv/app -- git log -1 --oneline
  x exec --on @db --stdin -- psql -q < migrate.sql
  x exec --on web1 --tty -- top -b -n 1`,

  async prepare(positionals, options, _display, own) {
    const [file, ...args] = positionals;
    if (file === undefined || file === '') throw new UsageError('exec needs a COMMAND to run, as in x exec --on local -- uname -a.', usage);
    const execOptions = await optionsOf(own);
    const collected = new Map<string, { stdout: string; stderr: string }>();
    return {
      modules: [execTask],
      async work(context, target, session) {
        const rx = session.router.receiver<OutputChunk>();
        const lines = options.json ? undefined : new Lines(session.display, target.name);
        const captured = { stdout: '', stderr: '' };
        collected.set(target.name, captured);
        const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
        const reading = (async () => {
          for await (const [stream, data] of rx) {
            const text = decoders[stream].write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
            if (lines) lines.add(stream, text);
            else captured[stream] += text;
          }
        })();
        // A broken stream also fails the call, which is the error reported.
        reading.catch(() => {});
        let status: ExecStatus;
        try {
          status = (await context.withOptions({ signal: session.signal }).call(execTask, 'exec', file, args, rx.sender, execOptions)) as ExecStatus;
          await reading;
        } finally {
          rx.close();
          for (const stream of ['stdout', 'stderr'] as const) {
            const rest = decoders[stream].end();
            if (lines) lines.add(stream, rest);
            else captured[stream] += rest;
          }
          lines?.flush();
        }
        if (status.exitCode !== 0) throw Object.assign(new CommandFailedError(status.exitCode, status.signal), options.json ? captured : {});
        return status;
      },
      describe: (outcome) => `exit ${(outcome.result as ExecStatus).exitCode}`,
      jsonExtra(outcome) {
        const captured = collected.get(outcome.target.name);
        return outcome.status === 'ok' && captured ? { result: { ...(outcome.result as ExecStatus), ...captured } } : {};
      },
    };
  },
};

/** exec's own options, checked (and x's stdin read) before any target is contacted. */
async function optionsOf(own: Record<string, unknown>): Promise<ExecOptions> {
  const options: ExecOptions = {};
  const cwd = own['cwd'] as string | undefined;
  if (cwd !== undefined) {
    if (!cwd.startsWith('/')) throw new UsageError(`--cwd takes an absolute path on the targets, got '${cwd}'.`, usage);
    options.cwd = cwd;
  }
  const env = own['env'] as string[] | undefined;
  if (env !== undefined) {
    options.env = {};
    for (const pair of env) {
      const cut = pair.indexOf('=');
      const name = pair.slice(0, Math.max(cut, 0));
      if (cut < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env takes NAME=VALUE (NAME of letters, digits and _), got '${pair}'.`, usage);
      options.env[name] = pair.slice(cut + 1);
    }
  }
  if (own['tty'] === true) {
    options.tty = { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 };
    // The terminal type the command draws for: x's own, as ssh -t passes it.
    if (options.env?.['TERM'] === undefined) options.env = { ...options.env, TERM: process.env['TERM'] ?? 'dumb' };
  }
  if (own['stdin'] === true) options.input = await readAll(process.stdin);
  return options;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/** Splits one target's output into whole lines per stream and writes them prefixed, as they complete. */
class Lines {
  readonly #display: Display;
  readonly #name: string;
  readonly #pending = { stdout: '', stderr: '' };

  constructor(display: Display, name: string) {
    this.#display = display;
    this.#name = name;
  }

  add(stream: 'stdout' | 'stderr', text: string): void {
    const all = this.#pending[stream] + text;
    const end = all.lastIndexOf('\n');
    if (end === -1) {
      this.#pending[stream] = all;
      return;
    }
    this.#pending[stream] = all.slice(end + 1);
    this.#display.lines(this.#display[stream], this.#name, all.slice(0, end));
  }

  /** Writes what is left of a last line without its newline. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#pending[stream] !== '') this.#display.lines(this.#display[stream], this.#name, this.#pending[stream]);
      this.#pending[stream] = '';
    }
  }
}
