import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { useLeakCheck } from '@x/test-env';
import { afterEach, describe, expect, it } from 'vitest';
import { INTERRUPT_SLICE_MS, Interrupted, Latch, TimeoutError } from '@x/latch';

useLeakCheck();

const KEY = Symbol.for('@x/interrupt-word');
const globals = globalThis as Record<symbol, unknown>;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);

afterEach(() => {
  delete globals[KEY];
});

function blockingGetError(latch: Latch, options?: { timeout: number }): unknown {
  try {
    latch.get(options);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a blocking get() on the main thread', () => {
  it(`waits in slices of at most ${INTERRUPT_SLICE_MS} ms and throws Interrupted when the word moves`, async () => {
    const word = new Int32Array(new SharedArrayBuffer(8));
    globals[KEY] = word;
    const signaller = new Worker(fixture('interrupt-word.worker.mjs'), {
      workerData: { word: word.buffer, signal: constants.signals.SIGTERM, delayMs: 100 },
    });
    const exited = new Promise((resolve) => signaller.once('exit', resolve));
    const error = blockingGetError(new Latch());
    await exited;
    expect(error).toBeInstanceOf(Interrupted);
    expect(error).toMatchObject({ code: 'ERR_X_LATCH_INTERRUPTED', signal: 'SIGTERM', signalNumber: 15 });
  });

  it('still times out on time when a word is published and no signal comes', () => {
    globals[KEY] = new Int32Array(new SharedArrayBuffer(8));
    const start = performance.now();
    const error = blockingGetError(new Latch(), { timeout: 120 });
    expect(error).toBeInstanceOf(TimeoutError);
    expect(performance.now() - start).toBeGreaterThanOrEqual(120);
  });

  it('ignores a published value that is not an interrupt word', () => {
    globals[KEY] = [0, 0];
    expect(blockingGetError(new Latch(), { timeout: 10 })).toBeInstanceOf(TimeoutError);
  });

  it('ends with Interrupted on SIGINT in a process that handles it, and the handler then runs', async () => {
    const child = spawn(process.execPath, [fixture('interrupted.child.mjs').pathname], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      lines.push(...chunk.split('\n').filter(Boolean));
      // The child says 'waiting' just before get(): signal it until the wait reports how it ended
      // (a signal that lands before get() begins is handled but not seen by that wait).
      if (lines.includes('waiting') && !timer) {
        timer = setInterval(() => child.kill('SIGINT'), 100);
        child.kill('SIGINT');
      }
      if (lines.length >= 3) clearInterval(timer);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once('exit', (...result) => resolve(result)),
    );
    clearInterval(timer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(JSON.parse(lines[1]!)).toEqual({
      code: 'ERR_X_LATCH_INTERRUPTED',
      name: 'Interrupted',
      signal: 'SIGINT',
      signalNumber: constants.signals.SIGINT,
    });
    expect(JSON.parse(lines[2]!).handled).toBeGreaterThanOrEqual(1);
  });
});
