// Starting a context over a command that gives it only stdin and stdout (ssh, sudo, su, container
// exec): the bootstrap's line protocol, prompts, and the typed failures. This file runs in the root and,
// shipped on demand, inside a context that starts such a child for `via`; so it imports nothing but
// node: builtins and files that do the same.
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { LineSplitter } from '../wire/lines.js';
import { MIN_NODE_VERSION, READY_MARKER, SEND_CORE_MARKER } from '../wire/markers.js';
import type { RouterCore } from '../calls/router-core.js';
import { type BootstrapAnswer, sendBootstrap } from './bootstrap.js';
import { echoesFirstStage, notNodeMessage, refuseVersion } from './node-version.js';
import { SplitChannel } from '../wire/split-channel.js';
import type { Stream } from '../wire/stream.js';

/** A started command whose stdin and stdout will carry the context's channel. */
export interface StdioProcess {
  pid: number;
  stdout: Readable;
  stdin: Writable;
  /** Where prompts and errors appear: stderr, and the terminal when there is one. */
  diagnostics: Readable[];
  /** Types text where the command reads its password: the terminal (ssh) or stdin (sudo -S, su). */
  answer: (text: string) => void;
  /** Kills the command and what it started, now. */
  kill: () => void;
  /** `startError`: the command could not be started at all (ENOENT, EACCES). */
  onExit: (listener: (code: number | null, signal: string | null, startError?: Error) => void) => void;
}

/** What to answer and what to look for while the command authenticates. */
export interface PromptRules {
  /** The method's name, in messages: 'ssh', 'sudo', 'su', ... */
  method: string;
  /** Typed at most once, at the first prompt. */
  password: string | undefined;
  /** Matched against the unfinished last line of stderr/the terminal/stdout (a prompt ends no line). */
  prompt: RegExp | undefined;
  /** A finished line matching one of these means the credentials were refused. */
  incorrect: RegExp[];
}

export type ConnectFailure = 'password' | 'auth' | 'host-key' | 'refused' | 'reset' | 'timeout' | 'eof' | 'node-not-found';
export type MakeConnectError = (kind: ConnectFailure, message: string, stderrTail: string) => Error;

export interface StdioConnectOptions {
  id: number;
  name: string;
  nodePath: string;
  /** Where the command runs, for messages ('ssh to web1', 'sudo to root'). */
  where: string;
  connectTimeoutMs: number;
  rules: PromptRules;
  makeError: MakeConnectError;
  /** Aborting it (the router closing) stops the start: the command is killed and the start rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** ssh's last word on a refused host key; the lines before it say why (CHANGED_KEY) or not (an unknown key in BatchMode). */
const HOST_KEY_FAILED = /host key verification failed/i;
const CHANGED_KEY = /REMOTE HOST IDENTIFICATION HAS CHANGED|host key for \S+ has changed/i;
/** ssh asks this on the terminal for an unknown key when nothing decides (only with a password: BatchMode never asks). */
const HOST_KEY_QUESTION = /continue connecting \(yes\/no/i;
/** "ssh: connect to host h port 22: Connection refused", or a jump host's "connect failed: Connection refused". */
const REFUSED = /Connection refused/;
/** The server closed before its banner: what sshd does to a connection past MaxStartups (older ssh says ssh_exchange_identification). */
const RESET = /(?:kex|ssh)_exchange_identification: (?:read: )?Connection (?:reset by peer|closed by remote host)/;
/** What sh, bash, dash and env print when the node binary is missing or not executable. */
const NO_NODE_PATTERN = /(not found|No such file or directory|Permission denied|cannot execute)/i;
const HOST_KEY_ADVICE = "the host's key is not in known_hosts and ssh may not add it: check it and add it (ssh-keyscan), or let new keys be learnt (checkHostKeys 'accept', x's --check-host-keys accept).";
const TAIL_LINES = 20;
const MAX_PENDING = 64 * 1024;

/**
 * Runs the bootstrap over `child`'s stdio: answers a password prompt once, waits for the first stage's
 * marker, checks its Node version, sends the compressed core, waits for the core's ready marker, then
 * routes context `id` through the pair and sends its bootstrap frame. Every failure kills `child` and
 * rejects with `makeError(kind, ...)` (an abort, with the signal's reason) once `child` has exited, so
 * nothing is left running.
 * @returns the context's pid once it is ready for calls.
 */
export function connectStdio(router: RouterCore, core: Buffer, child: StdioProcess, options: StdioConnectOptions): Promise<{ pid: number }> {
  const { id, name, nodePath, where, rules, signal } = options;
  const gone = new Promise<void>((resolve) => child.onExit(() => resolve()));
  if (signal?.aborted) {
    child.kill();
    return gone.then(() => Promise.reject(signal.reason as Error));
  }
  const tail: string[] = [];
  const redact = (text: string): string => (rules.password ? text.split(rules.password).join('***') : text);
  const remember = (line: string): void => {
    tail.push(redact(line));
    if (tail.length > TAIL_LINES) tail.shift();
  };

  return new Promise((resolve, reject) => {
    let phase: 'auth' | 'core' | 'frames' | 'ready' = 'auth';
    let typed = false;
    let settled = false;
    let stream: Stream | undefined;
    let readyHandle: number | undefined;
    let pending = '';
    /** The command's last non-empty line on stderr (or its terminal). */
    let lastLine: string | undefined;

    const stop = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (readyHandle !== undefined) router.removeHandler(readyHandle);
      child.kill();
      stream?.close(error.message);
      void gone.then(() => reject(error));
    };
    const fail = (kind: ConnectFailure, message: string): void => {
      if (!settled) stop(options.makeError(kind, message, tail.join('\n')));
    };
    const onAbort = (): void => stop(signal!.reason as Error);
    const timer = setTimeout(() => {
      const step = phase === 'auth' ? (typed ? 'after the password was typed' : 'while logging in') : phase === 'core' ? 'while the core started' : 'before its bootstrap answered';
      fail('timeout', `Context ${name} (${where}) did not start within ${options.connectTimeoutMs} ms (stuck ${step}); raise connectTimeoutMs or check that the host answers.`);
    }, options.connectTimeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    const prompted = (partial: string): boolean => {
      if (phase !== 'auth') return false;
      if (HOST_KEY_QUESTION.test(partial)) {
        fail('host-key', `Host key verification failed (context ${name}, ${where}): ssh asked whether to trust an unknown host key (${JSON.stringify(partial.trim().slice(-80))}), and x never answers that. ${HOST_KEY_ADVICE}`);
        return true;
      }
      if (rules.prompt === undefined || !rules.prompt.test(partial)) return false;
      const shown = JSON.stringify(partial.trim().slice(-80));
      if (rules.password === undefined) {
        fail('password', `${rules.method} asked for a password (${shown}) for context ${name}, but none was given: pass password, or set up key/NOPASSWD access.`);
      } else if (typed) {
        fail('password', `${rules.method} asked for the password again (${shown}) for context ${name}: it was refused. It is never typed twice; check the password.`);
      } else {
        typed = true;
        child.answer(`${rules.password}\n`);
      }
      return true;
    };

    const onLine = (line: string): void => {
      if (phase === 'ready') {
        router.emitLog({ contextId: id, stream: 'stderr', level: 'warn', text: redact(line) });
        return;
      }
      if (phase === 'auth' && echoesFirstStage(line)) {
        // The program echoed its arguments: its text is no clue, so it is kept out of the tail.
        fail('node-not-found', notNodeMessage(nodePath, where, 'it printed the first stage instead of running it'));
        return;
      }
      remember(line);
      if (line.trim() !== '') lastLine = redact(line.trim());
      // Each message starts with the command's own line that says what happened, as the user would see it.
      const said = `${line.trim().replace(/\.$/, '')} (context ${name}, ${where})`;
      if (HOST_KEY_FAILED.test(line)) {
        const why = tail.some((earlier) => CHANGED_KEY.test(earlier))
          ? 'the host key differs from the one in known_hosts (a reinstalled host, or someone in between): check it, then remove the old one with ssh-keygen -R.'
          : HOST_KEY_ADVICE;
        fail('host-key', `${said}: ${why}`);
      } else if (phase !== 'auth') {
        return;
      } else if (rules.incorrect.some((pattern) => pattern.test(line))) {
        if (typed) fail('password', `${said}: the password typed was refused; check it.`);
        else fail('auth', `${said}: the login was refused without a password prompt; check the login name and that a key offered (identityFile, ssh-agent, ~/.ssh/config) is authorized there, or give a password.`);
      } else if (REFUSED.test(line)) {
        fail('refused', `${said}: nothing listens there; check that sshd runs on the host and the port is right.`);
      } else if (RESET.test(line)) {
        fail('reset', `${said}: the server dropped the connection before the login, as sshd does past its MaxStartups (too many connections at once); trying again a moment later usually works.`);
      } else if (line.includes(nodePath) && NO_NODE_PATTERN.test(line)) {
        fail('node-not-found', `No node binary at ${JSON.stringify(nodePath)} on ${where}: ${line.trim()}. Install Node >= ${MIN_NODE_VERSION} there or pass nodePath.`);
      }
    };

    for (const source of child.diagnostics) {
      const lines = new LineSplitter(MAX_PENDING, (line) => onLine(line.toString('utf8')));
      source.on('data', (chunk: Buffer | string) => {
        lines.push(chunk);
        // A prompt ends without a newline: it is the partial line, and is answered once.
        if (prompted(lines.partial.toString('utf8'))) lines.dropPartial();
      });
      source.on('end', () => lines.end());
      source.on('error', () => {});
    }

    const banner = (line: string): void => {
      remember(line);
      router.emitLog({ contextId: id, stream: 'stdout', level: 'info', text: redact(Buffer.from(line, 'latin1').toString('utf8')) });
    };

    const onStdout = (chunk: Buffer): void => {
      if (settled) return;
      // latin1 maps bytes to chars one to one, so offsets found in the text are offsets in the bytes.
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\n'); phase === 'auth' && end >= 0; end = pending.indexOf('\n')) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        if (line.startsWith(SEND_CORE_MARKER)) {
          // Trimmed: over a terminal (ssh with a password) the line ends in \r\n.
          const refused = refuseVersion(nodePath, where, line.slice(SEND_CORE_MARKER.length).trim());
          if (refused !== undefined) return fail('node-not-found', refused);
          phase = 'core';
          child.stdin.write(core);
        } else if (echoesFirstStage(line)) {
          return fail('node-not-found', notNodeMessage(nodePath, where, 'it printed the first stage instead of running it'));
        } else if (line !== '') {
          // A banner or motd printed by the login shell: a log record of the context, and kept for errors.
          banner(line);
        }
      }
      if (phase === 'auth') {
        pending = prompted(pending) ? '' : pending.slice(-MAX_PENDING);
        return;
      }
      if (phase === 'core') {
        const at = pending.indexOf(READY_MARKER);
        if (at < 0) {
          pending = pending.slice(-READY_MARKER.length);
          return;
        }
        phase = 'frames';
        const rest = Buffer.from(pending.slice(at + READY_MARKER.length), 'latin1');
        pending = '';
        child.stdout.off('data', onStdout);
        child.stdout.pause();
        if (rest.length > 0) child.stdout.unshift(rest);
        bootstrap();
      }
    };
    child.stdout.on('data', onStdout);
    child.stdin.on('error', () => {});

    const bootstrap = (): void => {
      stream = router.attachStream(new SplitChannel(child.stdout, child.stdin).asSocket(), id);
      const answer: BootstrapAnswer = {
        dead: stop,
        ready: (frame) => {
          let pid: unknown;
          try {
            // The core answers its bootstrap as a call: [1, { pid }].
            const reply = router.decode(frame) as [unknown, { pid?: unknown } | undefined];
            if (Array.isArray(reply) && reply[0] === 1) pid = reply[1]?.pid;
          } catch (error) {
            fail('eof', `Context ${name} (${where}) answered its bootstrap with a malformed frame: ${(error as Error).message}`);
            return;
          }
          if (!Number.isInteger(pid)) {
            fail('eof', `Context ${name} (${where}) answered its bootstrap without its pid.`);
            return;
          }
          if (settled) return;
          settled = true;
          phase = 'ready';
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ pid: pid as number });
        },
      };
      try {
        readyHandle = sendBootstrap(router, id, name, answer);
      } catch (error) {
        fail('eof', `Could not send the bootstrap to context ${name} (${where}): ${(error as Error).message}`);
      }
    };

    child.onExit((code, signal, startError) => {
      if (startError !== undefined) {
        const hint = (startError as NodeJS.ErrnoException).code === 'ENOENT' ? ' Install it or pass its path.' : '';
        fail('eof', `Could not start ${rules.method} for context ${name}: ${startError.message.replace(/\.$/, '')}.${hint}`);
        return;
      }
      // Let the pipes drain first, so the tail holds the command's last words.
      setTimeout(() => {
        if (phase === 'auth' && (code === 127 || code === 126)) {
          fail('node-not-found', `No usable node at ${JSON.stringify(nodePath)} on ${where} (the command exited with status ${code}). Install Node >= ${MIN_NODE_VERSION} there or pass nodePath.`);
        }
        // Node never exits 0 before its first stage has announced itself.
        if (phase === 'auth' && code === 0) fail('node-not-found', notNodeMessage(nodePath, where, 'it exited with status 0 without running the first stage'));
        const how = signal === null ? `exited with status ${code}` : `was killed by ${signal}`;
        const step = phase === 'auth' ? 'before the first stage started' : phase === 'core' ? 'while the core started' : 'before it was ready';
        const ended = `${rules.method} for context ${name} (${where}) ${how} ${step}`;
        // ssh exits with 255 on its own errors, and its last line says which ("Could not resolve hostname ...").
        fail('eof', code === 255 && lastLine !== undefined ? `${lastLine.replace(/\.$/, '')} (${ended})` : `${ended}.`);
        stream?.close(`${rules.method} ${how}`);
      }, 20);
    });
  });
}

/** Starts `argv` with stdin, stdout and stderr on pipes, in a group of its own. */
export function spawnStdio(argv: readonly string[], env: NodeJS.ProcessEnv | undefined): StdioProcess {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env });
  let exit: { code: number | null; signal: string | null; startError: Error | undefined } | undefined;
  const listeners: ((code: number | null, signal: string | null, startError?: Error) => void)[] = [];
  const exited = (code: number | null, signal: string | null, startError?: Error): void => {
    if (exit !== undefined) return;
    exit = { code, signal, startError };
    for (const listener of listeners) listener(code, signal, startError);
  };
  child.on('exit', (code, signal) => exited(code, signal));
  child.on('error', (error) => exited(null, null, error));
  return {
    pid: child.pid ?? -1,
    stdout: child.stdout!,
    stdin: child.stdin!,
    diagnostics: [child.stderr!],
    answer: (text) => child.stdin!.write(text),
    kill: () => {
      // EOF on its stdin ends what a signal cannot reach (sudo's root-owned children, for a non-root caller).
      child.stdin!.destroy();
      if (child.pid === undefined || exit !== undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    },
    onExit: (listener) => {
      if (exit !== undefined) listener(exit.code, exit.signal, exit.startError);
      else listeners.push(listener);
    },
  };
}
