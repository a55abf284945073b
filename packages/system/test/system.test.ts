import { describe, expect, it } from 'vitest';
import * as coro from '@x/coro';
import * as kernelIo from '@x/kernel-io';
import * as latch from '@x/latch';
import * as ops from '@x/ops';
import * as processPackage from '@x/process';
import * as remote from '@x/remote';
import * as scheduler from '@x/scheduler';
import * as signals from '@x/signals';
import * as system from '@x/system';

describe('@x/system', () => {
  it.each([
    ['signals', '@x/signals', signals],
    ['scheduler', '@x/scheduler', scheduler],
    ['latch', '@x/latch', latch],
    ['coro', '@x/coro', coro],
    ['kernelIo', '@x/kernel-io', kernelIo],
    ['process', '@x/process', processPackage],
    ['remote', '@x/remote', remote],
    ['ops', '@x/ops', ops],
  ] as const)('re-exports every export of %s (%s) as the same value', (namespace, _, pkg) => {
    const viaSystem = system[namespace] as Record<string, unknown>;
    expect(Object.keys(viaSystem).sort()).toEqual(Object.keys(pkg).sort());
    for (const [name, value] of Object.entries(pkg)) expect(viaSystem[name], name).toBe(value);
  });

  it('has a namespace for each x package, main() and its error, and nothing else', () => {
    expect(Object.keys(system).sort()).toEqual(['ExitingError', 'coro', 'kernelIo', 'latch', 'main', 'ops', 'process', 'remote', 'scheduler', 'signals']);
  });

  it('gives working namespaces', () => {
    expect(system.signals.signalCode('process/terminate')).toBe(15);
    expect(system.process.exitStatus.uncaught).toBe(70);
  });
});
