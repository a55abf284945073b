// The parent's ends of a child's stdio as @x/kernel-io channels. They are made as soon as the child
// exists, so a short output is read (and its fd closed at end of stream) even when it is looked at
// only after the child has exited.
import { connectInput, connectOutput, type KInput, type KOutput } from '@x/kernel-io';
import type { StdioPlan } from './stdio-plan.js';

/** Both directions of the child's terminal (the pty master). */
export interface Terminal {
  /** Everything the child writes to the terminal (its output and echoed input), until it exits. */
  readonly input: KInput;
  /** What the child reads from the terminal: keystrokes, passwords. */
  readonly output: KOutput;
  /** The pty's slave path, e.g. `/dev/pts/3`. */
  readonly name: string;
}

/** The channels of one child, by child fd. */
export class ChildStdio {
  readonly #inputs = new Map<number, KInput>();
  readonly #outputs = new Map<number, KOutput>();
  /** The child's terminal when an fd is on a pty, else null. */
  readonly terminal: Terminal | null = null;
  /** The pty master's fd, for resizing; null without a pty. */
  readonly ptyMaster: number | null = null;

  /** @internal */
  constructor(plan: StdioPlan) {
    if (plan.pty) {
      const { master, name } = plan.pty;
      // The master's EIO once the child and its descendants closed the slave is the end of the
      // output: read until it, so the last bytes the child wrote are not lost.
      this.terminal = { input: connectInput(master, { hangupIsEof: true }), output: connectOutput(master), name };
      this.ptyMaster = master;
    }
    for (const [fd, end] of plan.ends.entries()) {
      if (!end) continue;
      if (end.kind === 'pty') {
        if (end.direction !== 'read') this.#outputs.set(fd, this.terminal!.output);
        if (end.direction !== 'write') this.#inputs.set(fd, this.terminal!.input);
        continue;
      }
      if (end.direction !== 'read') this.#outputs.set(fd, connectOutput(end.fd));
      if (end.direction !== 'write') this.#inputs.set(fd, connectInput(end.fd));
    }
    // A socketpair used one way still needs its other channel, or the shared fd would never close.
    for (const [fd, end] of plan.ends.entries()) {
      if (end?.kind !== 'socketpair') continue;
      if (!this.#inputs.has(fd)) this.#inputs.set(fd, connectInput(end.fd));
      if (!this.#outputs.has(fd)) this.#outputs.set(fd, connectOutput(end.fd));
    }
  }

  /** The channel reading child fd `fd`, or null when that fd is not a pipe, socketpair or pty. */
  input(fd: number): KInput | null {
    return this.#inputs.get(fd) ?? null;
  }

  /** The channel writing to child fd `fd`, or null when that fd is not a pipe, socketpair or pty. */
  output(fd: number): KOutput | null {
    return this.#outputs.get(fd) ?? null;
  }

  /** @internal The child has exited: nobody will read what is written to it any more. */
  childExited(): void {
    for (const output of this.#allOutputs()) {
      if (!output.terminated) output.end().catch(() => {});
    }
  }

  /** Terminates every channel (drops unread bytes) and closes the fds. */
  close(): void {
    for (const channel of [...this.#allInputs(), ...this.#allOutputs()]) {
      if (!channel.terminated) channel.terminate();
    }
  }

  #allInputs(): Set<KInput> {
    const all = new Set(this.#inputs.values());
    if (this.terminal) all.add(this.terminal.input);
    return all;
  }

  #allOutputs(): Set<KOutput> {
    const all = new Set(this.#outputs.values());
    if (this.terminal) all.add(this.terminal.output);
    return all;
  }
}
