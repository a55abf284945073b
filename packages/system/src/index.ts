/**
 * @x/system: every x package as a namespace, so one import reaches the whole tree.
 *
 * @example
 * import { signals } from '@x/system';
 * signals.onExit(() => console.log('bye'));
 */
export * as signals from '@x/signals';
export * as coro from '@x/coro';
export * as scheduler from '@x/scheduler';
export * as latch from '@x/latch';
export * as kernelIo from '@x/kernel-io';
export * as process from '@x/process';
