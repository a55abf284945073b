import { readSync } from 'node:fs';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixture.js';
import { native } from './native.js';

useLeakCheck();

// Reads a pty master until the slave side is gone (EIO), collecting what the terminal printed.
function readUntilHangup(master: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const stop = native.watchFd(master, 'r', (error) => {
      if (error) return reject(error);
      try {
        const buffer = Buffer.alloc(4096);
        output += buffer.subarray(0, readSync(master, buffer)).toString();
      } catch (caught) {
        stop();
        if ((caught as NodeJS.ErrnoException).code === 'EIO') resolve(output);
        else reject(caught);
      }
    });
  });
}

// Runs `sh -c script` as a session leader with the pty's slave as its terminal, and
// returns what it printed and its status. The slave is closed here once the child has it.
async function onTerminal(pty: { master: number; slave: number }, script: string) {
  const pid = native.spawn('/bin/sh', ['sh', '-c', script], { PATH: '/usr/bin:/bin' }, {
    fdmap: [pty.slave, pty.slave, pty.slave],
    setsid: true,
    controllingTty: 0,
  });
  native.close(pty.slave);
  const output = await readUntilHangup(pty.master);
  native.close(pty.master);
  return { output, status: native.waitpid(pid) };
}

describe('openpty()', () => {
  it("runs `sh -c tty` on the slave as its controlling terminal; the master reads back the terminal's name and size", async () => {
    const pty = native.openpty({ cols: 100, rows: 30 });
    expect(pty.name).toMatch(/^\/dev\/pts\/\d+$/);
    expect(native.fdType(pty.slave)).toBe('tty');
    const { output, status } = await onTerminal(pty, 'tty; stty size');
    expect(status).toMatchObject({ code: 0, signal: null });
    expect(output.split('\r\n')).toEqual([pty.name, '30 100', '']);
  });

  it('rejects sizes out of range', () => {
    expect(() => native.openpty({ cols: 0 })).toThrow(/Expected `options.cols` to be an integer from 1 to 65535, got 0/);
    expect(() => native.openpty('80x24' as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});

describe('setWindowSize()', () => {
  it('changes the size a program on the terminal sees', async () => {
    const pty = native.openpty();
    native.setWindowSize(pty.master, 132, 50);
    expect((await onTerminal(pty, 'stty size')).output).toBe('50 132\r\n');
  });

  it('throws ENOTTY for a pipe', () => {
    const [readEnd, writeEnd] = native.pipe();
    expect(() => native.setWindowSize(readEnd, 80, 24)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'ioctl' }));
    native.close(readEnd);
    native.close(writeEnd);
  });
});

describe('tcgetpgrp() and tcsetpgrp()', () => {
  it("report and change the foreground process group of the caller's terminal, even from the background", async () => {
    const { master, slave } = native.openpty();
    const pid = native.spawn(process.execPath, ['node', fixture('foreground.cjs')], undefined, {
      fdmap: [slave, slave, slave],
      setsid: true,
      controllingTty: 0,
    });
    native.close(slave);
    const output = await readUntilHangup(master);
    expect(native.waitpid(pid)).toMatchObject({ code: 0 });
    native.close(master);
    const seen = JSON.parse(output);
    expect(seen).toEqual({ self: pid, child: seen.child, before: pid, during: seen.child, after: pid });
  });

  it('tcsetpgrp() throws ENOTTY on a terminal that is not the caller\'s', () => {
    const { master, slave } = native.openpty();
    expect(() => native.tcsetpgrp(master, process.pid)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'tcsetpgrp' }));
    native.close(master);
    native.close(slave);
  });

  it('throw ENOTTY for an fd that is not a terminal', () => {
    const [readEnd, writeEnd] = native.pipe();
    expect(() => native.tcgetpgrp(readEnd)).toThrow(expect.objectContaining({ code: 'ENOTTY', syscall: 'tcgetpgrp' }));
    native.close(readEnd);
    native.close(writeEnd);
  });
});
