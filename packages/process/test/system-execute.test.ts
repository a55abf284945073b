import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { Invocation, systemExecute } from '../src/index.js';
import { collect, fixture } from './helpers.js';
import { ttyCreateChild } from '../src/index.js';

useLeakCheck();

describe('systemExecute()', () => {
  it('makes the program the foreground group of the terminal until it exits, then takes the terminal back', async () => {
    const shell = ttyCreateChild(process.execPath, [fixture('system-execute.mjs')]);
    const output = await collect(shell.terminal!.input);
    expect(output.split('\r\n')).toEqual(['child foreground true', 'child exited 0', 'parent foreground true', '']);
    expect(await shell.exited).toMatchObject({ code: 0 });
  });

  it('runs a program to its end without a terminal, and gives its exit', async () => {
    const result = await systemExecute(new Invocation('sh', ['-c', 'exit "$CODE"'], { environ: { CODE: '6' } }));
    expect(result).toMatchObject({ code: 6, signal: null });
  });

  it('rejects what is not an Invocation with ERR_X_INVALID_ARG', async () => {
    await expect(systemExecute({ executable: 'true', args: [] } as never)).rejects.toMatchObject({ code: 'ERR_X_INVALID_ARG' });
  });
});
