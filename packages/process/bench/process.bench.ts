// @x/process against child_process, execa and node-pty: spawning and reaping, a pty round trip,
// and a function call in a child process.
import { fork, spawn as nodeSpawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { alternate } from './alternate.js';
import { optionalPeer } from '@x/bench';
import { execa } from 'execa';
import { concurrently, spawn, ttyCreateChild } from '../src/index.js';

const batch = Number(process.env.BATCH ?? 500);

/** Spawns /bin/true and waits for it, `batch` times in a row. */
async function oursBatch() {
  for (let i = 0; i < batch; i++) await spawn('/bin/true').exited;
}

async function nodeBatch() {
  for (let i = 0; i < batch; i++) {
    await new Promise((resolve, reject) => nodeSpawn('/bin/true').once('close', resolve).once('error', reject));
  }
}

async function execaBatch() {
  for (let i = 0; i < batch; i++) await execa('/bin/true');
}

await alternate(`process: spawn and wait for ${batch} /bin/true (stdio pipes, the default)`, oursBatch, [
  { name: 'child_process', fn: nodeBatch },
  { name: 'execa', fn: execaBatch },
], { rounds: 5 });

/** Opens a pty, runs echo on it and reads its output to the end. */
async function oursPty() {
  const child = ttyCreateChild('/bin/echo', ['hello']);
  let output = '';
  for await (const chunk of child.terminal!.input) output += chunk;
  await child.exited;
  if (output !== 'hello\r\n') throw new Error(`unexpected output ${JSON.stringify(output)}`);
}

/** The part of node-pty's API this case uses (node-pty is the bench harness's optional dependency). */
interface NodePty {
  spawn(file: string, args: string[], options: { cols: number; rows: number }): {
    onData(listener: (data: string) => void): unknown;
    onExit(listener: () => void): unknown;
  };
}
const nodePty = await optionalPeer<NodePty>('node-pty', 'the pty case');

function nodePtyEcho() {
  return new Promise<void>((resolve, reject) => {
    const term = nodePty!.spawn('/bin/echo', ['hello'], { cols: 80, rows: 24 });
    let output = '';
    term.onData((data) => {
      output += data;
    });
    term.onExit(() => {
      // node-pty reports the exit when the child is reaped; output may still be in flight.
      setImmediate(() => (output.includes('hello') ? resolve() : reject(new Error(`node-pty lost the output: ${JSON.stringify(output)}`))));
    });
  });
}

if (nodePty) {
  await alternate('process: open a pty, run echo, read its output', oursPty, [{ name: 'node-pty', fn: nodePtyEcho }], {
    rounds: 8,
    perRound: 20,
  });
}

const echoModule = new URL('./echo.mjs', import.meta.url);
const echoPath = fileURLToPath(echoModule);

function forkRoundTrip() {
  return new Promise<void>((resolve, reject) => {
    const child = fork(echoPath, [], { stdio: 'inherit' });
    let answer: unknown;
    child.once('message', (message) => {
      answer = message;
    });
    child.once('error', reject);
    child.once('exit', () => (answer === 'ping' ? resolve() : reject(new Error('no answer from the forked child'))));
    child.send('ping');
  });
}

// Both sides pass this process's Node flags to the child, as fork does: under tsx (pnpm bench) the
// children would load tsx too, which neither an application nor the figures should pay for.
process.execArgv.length = 0;
await alternate(
  'process: call a function in a child Node process and get its result',
  async () => void (await concurrently(echoModule, 'echo', 'ping')),
  [{ name: 'child_process.fork + IPC', fn: forkRoundTrip }],
  { rounds: 6, perRound: 3 },
);
