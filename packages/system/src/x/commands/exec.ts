import { StringDecoder } from 'node:string_decoder';
import type { ExecStatus, OutputChunk } from '../../exec-task.js';
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
  help: `Runs COMMAND with its arguments on every target (no shell: use sh -c '…' for pipes and
globs), with stdin on /dev/null. Its output streams as it comes, each line prefixed with the
target's name (colored on a terminal, plain in a pipe); its stdout goes to stdout and its stderr
to stderr. A target whose command exits with a status other than 0 (or is killed by a signal)
fails; the summary shows each exit status. Options go before COMMAND; everything after it is the
command's own. With --json, the output is not streamed: each target's line carries it as stdout
and stderr, beside exitCode and signal.

Examples:
  x exec --on local*4 -- uname -a
  x exec --on @web -- systemctl is-active nginx
  x exec --on 'web1,web2' --parallel 1 --fail-fast -- sh -c 'df -h / | tail -1'
  x exec --on @all --json -- cat /etc/os-release > releases.jsonl`,

  async prepare(positionals, options) {
    const [file, ...args] = positionals;
    if (file === undefined || file === '') throw new UsageError('exec needs a COMMAND to run, as in x exec --on local -- uname -a.', usage);
    const collected = new Map<string, { stdout: string; stderr: string }>();
    return {
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
          status = (await context.withOptions({ signal: session.signal }).call(execTask, 'exec', file, args, rx.sender, {})) as ExecStatus;
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
