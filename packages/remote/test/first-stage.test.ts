import { spawn } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { coreSource } from '../src/connect/core-source.js';
import { FIRST_STAGE, redirectedArgv } from '../src/connect/first-stage.js';
import { firstStageArgv, shellJoin } from '../src/connect/methods.js';
import { SEND_CORE_MARKER } from '../src/wire/markers.js';

useLeakCheck();

/** Runs the first stage with `length` as the announced size; `feed` writes to its stdin. */
function runFirstStage(length: number, feed: (stdin: NodeJS.WritableStream) => void, prefix = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-e', prefix + FIRST_STAGE, 'fs-test', String(length)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => {});
  feed(child.stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** A payload that proves it ran: prints its name, as the core would start. */
const payload = deflateRawSync(Buffer.from("require('fs').writeSync(1, 'payload ran as ' + boot.name + ' with ' + boot.core.length + ' bytes\\n')"));

describe('the first stage', () => {
  it('is under 1 KiB, and so is the whole ssh command line around it', () => {
    expect(Buffer.byteLength(FIRST_STAGE)).toBeLessThan(1024);
    // What ssh sends: the first stage shell-quoted, a name and a length.
    expect(Buffer.byteLength(shellJoin(firstStageArgv('node', 'ssh:user@host', 15_000)))).toBeLessThan(1024);
    // ... or the first stage under /bin/sh, with the shell's redirections (ssh, sudo, su).
    expect(Buffer.byteLength(shellJoin(redirectedArgv('node', 'ssh:user@host', 15_000)))).toBeLessThan(1024);
  });

  it('prints the send-core marker with its Node version, then runs exactly `length` bytes from stdin', async () => {
    const result = await runFirstStage(payload.length, (stdin) => stdin.end(Buffer.concat([payload, Buffer.from('frames that follow stay unread')])));
    expect(result.stdout).toBe(`${SEND_CORE_MARKER}${process.versions.node}\npayload ran as fs-test with ${payload.length} bytes\n`);
    expect(result.code).toBe(0);
  });

  it('waits through EAGAIN on a non-blocking stdin while the payload arrives in pieces', async () => {
    // Opening fd 0 as a socket makes it non-blocking for this process, as sudo's log_output does (mitogen #1306).
    const nonBlocking = "new (require('net').Socket)({fd:0,readable:true,writable:false}).pause();process.stderr.write(require('fs').readFileSync('/proc/self/fdinfo/0','utf8'));";
    const result = await runFirstStage(
      payload.length,
      (stdin) => {
        setTimeout(() => stdin.write(payload.subarray(0, 7)), 200);
        setTimeout(() => stdin.end(payload.subarray(7)), 400);
      },
      nonBlocking,
    );
    const flags = Number.parseInt(/flags:\s+(\d+)/.exec(result.stderr)![1]!, 8);
    expect(flags & 0o4000).toBe(0o4000);
    expect(result.stdout).toContain('payload ran as fs-test');
    expect(result.code).toBe(0);
  });

  it('exits at once with a message on EOF before any byte', async () => {
    const result = await runFirstStage(100, (stdin) => stdin.end());
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('x-remote: EOF on stdin after 0 of 100 bytes of the core');
  });

  it('exits at once with a message on a short payload', async () => {
    const result = await runFirstStage(payload.length + 50, (stdin) => stdin.end(payload));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`x-remote: EOF on stdin after ${payload.length} of ${payload.length + 50} bytes of the core`);
  });
});

describe('the core', () => {
  // 16 KiB until the security work: every context now checks payloads before v8 reads them, bounds its
  // senders with credit and writes log records in their own layout (README, the bootstrap, step 3).
  it('is at most 21 KiB compressed', async () => {
    const core = await coreSource();
    console.log(`@x/remote core: ${core.length} bytes compressed`);
    expect(core.length).toBeLessThanOrEqual(21 * 1024);
  });
});
