/**
 * @x/process: this program's invocation and exit, and child processes over pipes, socketpairs and
 * ptys, every one reaped, with exits by signal kept.
 *
 * @example
 * import { control, spawn } from '@x/process';
 * control(async () => {
 *   const child = spawn('ls', ['-l'], { stdio: ['ignore', 'pipe', 'inherit'] });
 *   for await (const chunk of child.stdout!) process.stdout.write(chunk);
 *   return (await child.exited).code ?? 1;
 * });
 */
export { Exit, Interruption } from '@x/signals';
export { concurrently } from './concurrently.js';
export { control } from './control.js';
export type { ControlOptions, Main } from './control.js';
export { Critical, critical, panic } from './critical.js';
export { daemon } from './daemon.js';
export type { Daemon, DaemonOptions } from './daemon.js';
export { ChildDiedError, InvalidArgumentError, MainUnsettledError, SpawnError } from './errors.js';
export type { ExitResult, ExitStatus } from './exit-result.js';
export { exitStatus } from './exit-status.js';
export { fsChdir, fsPwd } from './fs-pwd.js';
export { Invocation } from './invocation.js';
export type { InvocationInit, SystemInvocationOptions } from './invocation.js';
export { MonitorClosedError, ProcessMonitor } from './process-monitor.js';
export type { ExitCallback } from './process-monitor.js';
export { createChild, hybridTtyCreateChild, spawn, ttyCreateChild } from './spawn.js';
export type { ChildOptions, SpawnOptions } from './spawn.js';
export type { Terminal } from './stdio-channels.js';
export type { PtySize, StdioMode, StdioOption } from './stdio-plan.js';
export { NoChannelError, NoProcessGroupError, NoTerminalError, Subprocess } from './subprocess.js';
export { systemExecute } from './system-execute.js';
