// Asking a secret on the terminal, as ssh and sudo do: the prompt and the answer go through /dev/tty
// (not stdin or stdout, which may be pipes), the answer is not echoed, and it is never stored anywhere
// but in memory.
import { openSync, writeSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { UsageError } from './errors.js';

/**
 * Writes `prompt` on the controlling terminal and reads one line there with echo off.
 *
 * @returns the line typed, without its end.
 * @throws UsageError (`ERR_X_USAGE`) when there is no terminal to ask on, or nothing was typed.
 *   Ctrl+C ends x by SIGINT, as anywhere else.
 */
export async function askPassword(prompt: string, flag: string): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch (error) {
    throw new UsageError(`${flag} asks for the password on a terminal, and x has none (${(error as NodeJS.ErrnoException).code}); run it from one.`);
  }
  const input = new ReadStream(fd);
  // Echo off before the prompt shows: an answer typed (or pasted) at once is never echoed.
  input.setRawMode(true);
  input.setEncoding('utf8');
  writeSync(fd, prompt);
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      input.on('data', (chunk: string) => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            if (typed === '') reject(new UsageError(`${flag}: no password was typed.`));
            else resolve(typed);
            return;
          }
          if (char === '\u0003') {
            // Raw mode turned Ctrl+C into a byte: give it back its meaning, the terminal restored first.
            input.setRawMode(false);
            writeSync(fd, '\n');
            process.kill(process.pid, 'SIGINT');
            return;
          }
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else if (char === '\u0015') typed = '';
          else typed += char;
        }
      });
      input.on('error', reject);
    });
  } finally {
    input.setRawMode(false);
    writeSync(fd, '\n');
    input.destroy();
  }
}
