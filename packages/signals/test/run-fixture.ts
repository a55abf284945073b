import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** What the parent observed of a fixture program. */
export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running fixture program: send it signals once it has printed a line, then await its end. */
export interface Fixture {
  child: ChildProcess;
  /** Resolves when stdout has shown `text`. */
  printed(text: string): Promise<void>;
  outcome: Promise<Outcome>;
}

/**
 * Starts `fixtures/<name>` in a new Node process. Core dumps are off (SIGQUIT's default action dumps
 * core) and the working directory is a temporary one, removed with `cleanup()`.
 */
export function startFixture(name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Fixture {
  const script = join(fixtures, name);
  const child = spawn('/bin/sh', ['-c', 'ulimit -c 0 && exec "$0" "$@"', process.execPath, script, ...args], {
    cwd: fixtures,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.filter((w) => stdout.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const outcome = new Promise<Outcome>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (stdout.includes(text)) return resolve();
      waiters.push({ text, resolve });
      void outcome.then((o) => reject(new Error(`fixture ${name} ended before printing "${text}": ${JSON.stringify(o)}`)));
    });
  return { child, printed, outcome };
}

/** Runs a fixture to its end. */
export function runFixture(name: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return startFixture(name, args, env).outcome;
}

/** A temporary directory for files a fixture's cleanup writes. */
export function scratchDir(): { path: string; read(file: string): string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'x-signals-'));
  return {
    path,
    read: (file) => readFileSync(join(path, file), 'utf8'),
    cleanup: () => rmSync(path, { recursive: true, force: true }),
  };
}
