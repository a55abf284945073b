import { createHash, randomBytes } from 'node:crypto';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { hybridTtyCreateChild, NoTerminalError, spawn, ttyCreateChild } from '../src/index.js';
import { collect, fixture, readUntil } from './helpers.js';

useLeakCheck();

describe('ttyCreateChild()', () => {
  it('gives the child a terminal on stdin, stdout and stderr, with the window size asked for', async () => {
    const child = ttyCreateChild(process.execPath, [fixture('winch.mjs')], { pty: { cols: 120, rows: 40 } });
    expect(await readUntil(child.terminal!.input, /size \d+x\d+\r\n/)).toBe('tty true,true,true size 120x40\r\n');
    child.kill('SIGKILL');
    await child.exited;
  });

  it('sends SIGWINCH on resize, with the new size', async () => {
    const child = ttyCreateChild(process.execPath, [fixture('winch.mjs')]);
    await readUntil(child.terminal!.input, /size 80x24\r\n/);
    child.resize(100, 30);
    await readUntil(child.terminal!.input, /winch 100x30\r\n/);
    child.resize(132, 50);
    expect(await collect(child.terminal!.input)).toBe('winch 132x50\r\n');
    expect(await child.exited).toMatchObject({ code: 0 });
  });

  it('is the controlling terminal of a new session', async () => {
    // `tty` names the terminal; ps shows the session leader is the child itself.
    const child = ttyCreateChild('sh', ['-c', 'tty; ps -o sid= -p $$']);
    const output = await collect(child.terminal!.input);
    const [name, sid] = output.trim().split(/\r\n/).map((line) => line.trim());
    expect(name).toBe(child.terminal!.name);
    expect(Number(sid)).toBe(child.pid);
    await child.exited;
  });

  it('reads the output until the child exits without losing the last bytes', async () => {
    // 256 KiB written just before exiting: the master reads until EIO, after the last byte.
    const child = ttyCreateChild('sh', ['-c', 'head -c 262144 /dev/zero | tr "\\0" x']);
    const output = await collect(child.terminal!.input);
    expect(output.length).toBe(262144);
    expect(/^x+$/.test(output)).toBe(true);
    expect(await child.exited).toMatchObject({ code: 0 });
  });

  it('refuses resize for a child without a terminal', async () => {
    const child = spawn('true', [], { stdio: 'ignore' });
    expect(() => child.resize(10, 10)).toThrow(NoTerminalError);
    await child.exited;
  });
});

describe('hybridTtyCreateChild()', () => {
  it('answers a password prompt on the terminal while bulk data goes over the socketpair', async () => {
    const child = hybridTtyCreateChild(fixture('prompt.sh'));
    const terminal = child.terminal!;
    expect(await readUntil(terminal.input, /Password: $/)).toBe('Password: ');
    await terminal.output.send('sesame\n');
    expect(await readUntil(terminal.input, /accepted sesame\r\n/)).toContain('accepted sesame');

    const data = randomBytes(4 << 20);
    const sending = (async () => {
      for (let offset = 0; offset < data.length; offset += 65536) await child.stdin!.send(data.subarray(offset, offset + 65536));
      await child.stdin!.end();
    })();
    const hash = createHash('sha256');
    let length = 0;
    for await (const chunk of child.stdout!) {
      hash.update(chunk);
      length += chunk.length;
    }
    await sending;
    expect(length).toBe(data.length);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await child.exited).toMatchObject({ code: 0 });
  });
});
