import { pathToFileURL } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { ChildDiedError, concurrently } from '../src/index.js';
import { fixture } from './helpers.js';

useLeakCheck();

const functions = pathToFileURL(fixture('functions.mjs'));

describe('concurrently()', () => {
  it("returns the function's value from a child process", async () => {
    expect(await concurrently(functions, 'add', 2, 3)).toBe(5);
  });

  it('carries arguments and results as structured clones (Map, Date, typed arrays)', async () => {
    const result = await concurrently<{ pid: number; kind: string; value: Map<string, number>; when: Date; bytes: Uint8Array }>(
      functions.href,
      'describeValue',
      new Map([['a', 1]]),
    );
    expect(result.pid).not.toBe(process.pid);
    expect(result.kind).toBe('map');
    expect(result.value).toEqual(new Map([['a', 1]]));
    expect(result.when).toEqual(new Date(0));
    expect(result.bytes).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("rethrows the function's error with its class, name, message, fields and the child's stack", async () => {
    const error = (await concurrently(functions, 'fail', 'too big').catch((caught: unknown) => caught)) as RangeError & { code: string };
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toMatchObject({ name: 'RangeError', message: 'too big', code: 'ERR_TOO_BIG' });
    expect(error.stack).toContain('functions.mjs');
    const custom = await concurrently(functions, 'failWithCustom').catch((caught: unknown) => caught as Error);
    expect(custom).toMatchObject({ name: 'ConfigError', message: 'no configuration' });
  });

  it('rejects with a typed error naming the signal when the child is killed', async () => {
    const error = await concurrently(functions, 'die', 'SIGKILL').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChildDiedError);
    expect(error).toMatchObject({ code: 'ERR_X_PROCESS_CHILD_DIED', signal: 'SIGKILL', exitCode: null });
    expect((error as Error).message).toContain('SIGKILL');
  });

  it('rejects with the exit status when the child exits without answering', async () => {
    await expect(concurrently(functions, 'quit', 4)).rejects.toMatchObject({ code: 'ERR_X_PROCESS_CHILD_DIED', exitCode: 4, signal: null });
  });

  it('reports a result that cannot be cloned, and a missing export', async () => {
    await expect(concurrently(functions, 'unclonable')).rejects.toMatchObject({ name: 'DataCloneError' });
    await expect(concurrently(functions, 'nothing')).rejects.toMatchObject({ code: 'ERR_X_PROCESS_NO_SUCH_EXPORT' });
  });

  it('refuses arguments that cannot be cloned, starting no child', async () => {
    await expect(concurrently(functions, 'add', () => {})).rejects.toMatchObject({ name: 'DataCloneError' });
  });

  it('ends the child after it answers, even when the function left handles open', async () => {
    expect(await concurrently(functions, 'keepsHandles')).toBe('done');
  });
});
