// The task `x exec` ships to each target, called directly through @x/remote: its output follows the
// receiver's back-pressure, and a receiver that goes away ends the command instead of the context.
import { Router } from '@x/remote';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';

useLeakCheck();

const task = new URL('../src/exec-task.ts', import.meta.url);

describe('exec-task', () => {
  it('kills the command, and keeps the context, when the receiver of its output is closed', async () => {
    await using router = new Router({ logPrinter: false });
    const errors: string[] = [];
    router.onLog((record) => {
      if (record.level === 'error' || record.stream === 'stderr') errors.push(record.text);
    });
    const ctx = await router.local({ name: 'exec' });
    const output = router.receiver<['stdout' | 'stderr', Uint8Array]>();
    const status = ctx.call(task, 'exec', 'sh', ['-c', 'while :; do echo line; done'], output.sender);
    await output.next();
    output.close();
    expect(await status).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(await ctx.call(task, 'exec', 'true', [], router.receiver().sender)).toEqual({ exitCode: 0, signal: null });
    expect(ctx.isDisconnected).toBe(false);
    expect(errors).toEqual([]);
  });

  it('says --tty needs util-linux script where the target has none', async () => {
    await using router = new Router({ logPrinter: false });
    const ctx = await router.local({ name: 'exec' });
    const error = await ctx.call(task, 'exec', 'true', [], router.receiver().sender, { tty: { columns: 80, rows: 24 }, env: { PATH: '/nonexistent' } }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain("--tty runs the command under util-linux 'script', which this target lacks");
  });

  it('quotes every argument for the terminal’s shell, so none is read as shell syntax', async () => {
    await using router = new Router({ logPrinter: false });
    const ctx = await router.local({ name: 'exec' });
    const output = router.receiver<['stdout' | 'stderr', Uint8Array]>();
    const args = ['%s|', "it's", '$(echo no)', '`no`', '; echo no', '"q"'];
    const status = ctx.call(task, 'exec', 'printf', args, output.sender, { tty: { columns: 80, rows: 24 } });
    let text = '';
    for await (const [, data] of output) text += Buffer.from(data).toString();
    expect(await status).toEqual({ exitCode: 0, signal: null });
    expect(text).toBe(`it's|$(echo no)|\`no\`|; echo no|"q"|`);
  });
});
