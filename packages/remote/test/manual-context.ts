import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { serialize } from 'node:v8';
import { expect } from 'vitest';
import { firstStageArgv } from '../src/connect/first-stage.js';
import { type Frame, FrameDecoder, encodeHeader } from '../src/wire/frame.js';

// A context started by hand, the test playing its parent: the first stage, the core on stdin, a
// bootstrap frame on fd 3, then whatever frames the test writes. No Router is involved.
export const CONTEXT_ID = 1;
export const MAX_MESSAGE_SIZE = 1 << 20;
const PING_HANDLE = 777_777;
const PING_REPLY = 4242;

export class ManualContext {
  readonly child: ChildProcess;
  readonly channel: Socket;
  readonly stderr: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiting: ((frame: Frame) => void) | undefined;
  #disconnected = false;

  constructor(core: Buffer) {
    this.child = spawn(process.execPath, firstStageArgv(process.execPath, 'fuzz', core.length).slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
    this.child.stdin!.on('error', () => {});
    this.child.stdin!.write(core);
    this.child.stdout!.resume();
    this.child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.channel = this.child.stdio[3] as Socket;
    const decoder = new FrameDecoder(64 << 20);
    this.channel.on('data', (chunk: Buffer) => decoder.push(chunk, (frame) => this.#waiting?.(frame)));
    this.channel.on('error', () => {});
    this.channel.on('close', () => {
      this.#disconnected = true;
    });
  }

  write(bytes: Buffer): void {
    if (!this.#disconnected) this.channel.write(bytes);
  }

  /** Resolves with the first frame for `handle`, or 'gone' if the context ends or stays silent for 20 s. */
  waitFor(handle: number): Promise<Frame | 'gone'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('gone'), 20_000);
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve('gone');
      });
      this.#waiting = (frame) => {
        if (frame.handle !== handle) return;
        clearTimeout(timer);
        this.#waiting = undefined;
        resolve(frame);
      };
    });
  }

  async start(): Promise<void> {
    const config = serialize({ id: CONTEXT_ID, parentIds: [0], name: 'fuzz', maxMessageSize: MAX_MESSAGE_SIZE, logLevel: 'info', readyHandle: 1000 });
    const ready = this.waitFor(1000);
    this.write(frame(0, { dst: CONTEXT_ID, src: 0, auth: 0, handle: 110, replyTo: 1000 }, config));
    expect(await ready).not.toBe('gone');
  }

  /** A message that must be answered (with a dead 'closed': nothing listens on that handle). */
  async ping(): Promise<boolean> {
    const answer = this.waitFor(PING_REPLY);
    this.write(frame(0, { dst: CONTEXT_ID, src: 0, auth: 0, handle: PING_HANDLE, replyTo: PING_REPLY }, serialize(null)));
    return (await answer) !== 'gone';
  }

  /** Kills the context's process group (whatever it started too) and waits for it. */
  async stop(): Promise<void> {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
    await this.exited;
    this.channel.destroy();
  }

  peakRssKiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  }
}

export function frame(encoding: number, fields: { dst: number; src: number; auth: number; handle: number; replyTo: number }, payload: Buffer): Buffer {
  return Buffer.concat([encodeHeader({ encoding, ...fields }, payload.length), payload]);
}

