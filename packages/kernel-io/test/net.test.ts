import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useLeakCheck } from '@x/test-env';
import { KernelError, connect, listen, pipe, sendFds, toReadableStream, toWritableStream } from '../src/index.js';

const native = createRequire(import.meta.url)('@x/native') as typeof import('@x/native');

useLeakCheck();

describe('listen() and connect()', () => {
  it('echoes 256 MiB over loopback to a deliberately slow consumer, equal by sha256', async () => {
    const [server] = await listen({ host: '127.0.0.1', port: 0 });
    const echo = (async () => {
      for await (const connection of server!) {
        // Echo with back-pressure: read only as fast as the peer takes the echo.
        for await (const chunk of connection.input) await connection.output.send(chunk);
        await connection.output.end();
        server!.terminate();
      }
    })();
    const client = await connect(server!.address);
    const total = 256 << 20;
    const block = randomBytes(1 << 20);
    const sent = createHash('sha256');
    const sending = (async () => {
      for (let i = 0; i < total; i += block.length) {
        block.writeUInt32LE(i, 0); // every MiB differs, so a lost or repeated one changes the hash
        const copy = Buffer.from(block);
        sent.update(copy);
        await client.output.send(copy);
      }
      await client.output.end();
    })();
    const received = createHash('sha256');
    let got = 0;
    let chunks = 0;
    for await (const chunk of client.input) {
      received.update(chunk);
      got += chunk.length;
      // The slow consumer: the echo and the sender must wait for it, not buffer without bound.
      if (++chunks % 64 === 0) await sleep(2);
    }
    await sending;
    await echo;
    expect(got).toBe(total);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
  }, 60_000);

  it('delivers the bytes sent before a peer reset, then ECONNRESET as a KernelError', async () => {
    const [server] = await listen({ host: '127.0.0.1', port: 0 });
    const accepted = server!.accept();
    const peer = net.connect(server!.address as { port: number; host: string });
    await new Promise((resolve) => peer.once('connect', resolve));
    const connection = (await accepted)!;
    await new Promise<void>((resolve) => peer.write('before the reset', () => resolve()));
    await sleep(20);
    peer.resetAndDestroy();
    let text = '';
    const error = await (async () => {
      for await (const chunk of connection.input) text += chunk.toString();
    })().catch((e: unknown) => e);
    expect(text).toBe('before the reset');
    expect(error).toBeInstanceOf(KernelError);
    expect(error).toMatchObject({ code: 'ECONNRESET', syscall: 'read' });
    connection.terminate();
    server!.terminate();
  });

  it('gives EPIPE or ECONNRESET as a KernelError on writes after the reader closed', async () => {
    const [server] = await listen({ host: '127.0.0.1', port: 0 });
    const accepted = server!.accept();
    const client = await connect(server!.address);
    const connection = (await accepted)!;
    connection.terminate();
    const error = await (async () => {
      for (;;) await client.output.send(Buffer.alloc(1 << 20));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelError);
    expect(['EPIPE', 'ECONNRESET']).toContain((error as KernelError).code);
    expect((error as KernelError).syscall).toMatch(/^write/);
    client.terminate();
    server!.terminate();
  });

  it("does its I/O on the connected socket's own fd, the one the listener's accept(2) gave the peer", async () => {
    const [server] = await listen({ host: '127.0.0.1', port: 0 });
    expect(native.fdType(server!.fd)).toBe('socket');
    const accepted = server!.accept();
    const client = await connect(server!.address);
    const peer = (await accepted)!;
    expect([native.fdType(client.fd), native.fdType(peer.fd)]).toEqual(['socket', 'socket']);
    // Bytes written with a raw write(2) on the client's fd arrive at the accepted connection's input.
    fs.writeSync(client.fd, 'through the fd');
    expect(String(await peer.input.read())).toBe('through the fd');
    client.terminate();
    peer.terminate();
    server!.terminate();
  });

  it('rejects a refused connection with a KernelError ECONNREFUSED', async () => {
    const [server] = await listen({ host: '127.0.0.1', port: 0 });
    const address = server!.address;
    server!.terminate();
    await sleep(10);
    await expect(connect(address)).rejects.toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect' });
  });
});

describe('web streams', () => {
  it('carry bytes both ways through a pipe with back-pressure', async () => {
    const [input, output] = pipe();
    const data = randomBytes(4 << 20);
    const writer = toWritableStream(output).getWriter();
    const writing = (async () => {
      for (let i = 0; i < data.length; i += 65536) await writer.write(data.subarray(i, i + 65536));
      await writer.close();
    })();
    const parts: Uint8Array[] = [];
    for await (const chunk of toReadableStream(input)) parts.push(Uint8Array.from(chunk));
    await writing;
    expect(Buffer.concat(parts).equals(data)).toBe(true);
  });
});

describe('sendFds()', () => {
  it('passes an fd to a child process, which reads through it', async () => {
    const [input, output] = pipe();
    const [mine, theirs] = native.socketpair('stream');
    const fixture = fileURLToPath(new URL('./fixtures/read-passed-fd.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture], { stdio: ['ignore', 'pipe', 'inherit', theirs] });
    native.close(theirs);
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // The pipe's read end goes to the child; this process keeps writing into the pipe.
    await sendFds(mine, [input.fd], 'the pipe');
    input.terminate();
    const data = randomBytes(3 << 20);
    await output.send(data);
    await output.end();
    expect(await exited).toBe(0);
    native.close(mine);
    expect(JSON.parse(stdout)).toEqual({
      tag: 'the pipe',
      sha256: createHash('sha256').update(data).digest('hex'),
      length: data.length,
    });
  });
});
