import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { assertNoLeaks, takeSnapshot } from '@x/test-env';

describe('assertNoLeaks()', () => {
  it('passes when everything a test opened is gone', async () => {
    const before = await takeSnapshot();
    closeSync(openSync('/dev/null', 'r'));
    await expect(assertNoLeaks(before)).resolves.toBeUndefined();
  });

  it('names an fd left open, with its target', async () => {
    const before = await takeSnapshot();
    const fd = openSync('/dev/null', 'r');
    try {
      await expect(assertNoLeaks(before, { settleMs: 50 })).rejects.toThrow(`fd ${fd} -> /dev/null is still open`);
    } finally {
      closeSync(fd);
    }
  });

  it('names a child process left running, and waits for one that is exiting', async () => {
    const before = await takeSnapshot();
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await expect(assertNoLeaks(before, { settleMs: 50 })).rejects.toThrow(`child process ${child.pid} (sleep 30) is still alive`);
    } finally {
      child.kill();
    }
    await expect(assertNoLeaks(before)).resolves.toBeUndefined();
    await exited;
  });

  it('counts a worker thread left running', async () => {
    const before = await takeSnapshot();
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    await new Promise((resolve) => worker.once('online', resolve));
    try {
      await expect(assertNoLeaks(before, { settleMs: 50 })).rejects.toThrow('more thread(s) than before');
    } finally {
      await worker.terminate();
    }
    await expect(assertNoLeaks(before)).resolves.toBeUndefined();
  });
});
