// What the tests share: fixture paths and reading a channel to its end.
import { fileURLToPath } from 'node:url';
import type { KInput } from '@x/kernel-io';
import { spawn, type SpawnOptions, type Subprocess } from '../src/index.js';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** Reads a channel to its end, as text. */
export async function collect(input: KInput | null): Promise<string> {
  if (!input) throw new Error('no channel to read');
  let text = '';
  for await (const chunk of input) text += chunk.toString();
  return text;
}

/** Reads a channel until `pattern` has appeared, and gives what was read (the channel stays open). */
export async function readUntil(input: KInput | null, pattern: RegExp): Promise<string> {
  if (!input) throw new Error('no channel to read');
  let text = '';
  while (!pattern.test(text)) {
    const chunk = await input.read();
    if (chunk === null) throw new Error(`end of stream before ${pattern}; got ${JSON.stringify(text)}`);
    text += chunk.toString();
  }
  return text;
}

/** Starts a fixture with this Node. */
export function node(name: string, args: string[] = [], options: SpawnOptions = {}): Subprocess {
  return spawn(process.execPath, [fixture(name), ...args], options);
}

/** Runs a fixture to its end: its exit and its output. */
export async function run(name: string, args: string[] = [], options: SpawnOptions = {}) {
  const child = node(name, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const [stdout, stderr, result] = await Promise.all([collect(child.stdout), collect(child.stderr), child.exited]);
  return { ...result, stdout, stderr };
}
