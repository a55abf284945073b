/**
 * @x/system: every x package as a namespace, so one import reaches the whole tree; `main()`, which
 * wires them into a program; and the `x` command (this package's bin).
 *
 * @example
 * import { main, signals } from '@x/system';
 * main(async ({ router }) => {
 *   signals.onExit(() => console.log('bye'));
 *   const ctx = await router.local({ name: 'worker' });
 *   console.log(await ctx.call(new URL('./tasks.ts', import.meta.url), 'hostInfo'));
 * });
 */
export * as signals from '@x/signals';
export * as coro from '@x/coro';
export * as scheduler from '@x/scheduler';
export * as latch from '@x/latch';
export * as kernelIo from '@x/kernel-io';
export * as process from '@x/process';
export * as remote from '@x/remote';
export * as ops from '@x/ops';
export { ExitingError, main } from './main.js';
export type { MainContext, MainFunction, MainOptions } from './main.js';
