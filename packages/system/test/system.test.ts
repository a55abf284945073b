import { describe, expect, it } from 'vitest';
import * as coro from '@x/coro';
import * as kernelIo from '@x/kernel-io';
import * as latch from '@x/latch';
import * as processPackage from '@x/process';
import * as scheduler from '@x/scheduler';
import * as signals from '@x/signals';
import {
  kernelIo as kernelIoViaSystem,
  coro as coroViaSystem,
  latch as latchViaSystem,
  process as processViaSystem,
  scheduler as schedulerViaSystem,
  signals as viaSystem,
} from '@x/system';

describe('@x/system', () => {
  it('re-exports @x/signals as the `signals` namespace', () => {
    expect(viaSystem.onExit).toBe(signals.onExit);
    expect(viaSystem.signalCode('process/terminate')).toBe(15);
  });

  it('re-exports @x/coro as the `coro` namespace', () => {
    expect(coroViaSystem.spawn).toBe(coro.spawn);
  });

  it('re-exports @x/scheduler as the `scheduler` namespace', () => {
    expect(schedulerViaSystem.Scheduler).toBe(scheduler.Scheduler);
    expect(schedulerViaSystem.ManualClock).toBe(scheduler.ManualClock);
  });

  it('re-exports @x/latch as the `latch` namespace', () => {
    expect(latchViaSystem.Latch).toBe(latch.Latch);
    expect(latchViaSystem.LatchClosedError).toBe(latch.LatchClosedError);
  });

  it('re-exports @x/kernel-io as the `kernelIo` namespace', () => {
    expect(kernelIoViaSystem.readFile).toBe(kernelIo.readFile);
    expect(kernelIoViaSystem.KernelError).toBe(kernelIo.KernelError);
  });

  it('re-exports @x/process as the `process` namespace', () => {
    expect(processViaSystem.spawn).toBe(processPackage.spawn);
    expect(processViaSystem.Subprocess).toBe(processPackage.Subprocess);
    expect(processViaSystem.exitStatus.uncaught).toBe(70);
  });
});
