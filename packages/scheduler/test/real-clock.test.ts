import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../src/index.js';

useLeakCheck();

function runFixture(name: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = fileURLToPath(new URL(name.startsWith('../') ? name : `./fixtures/${name}`, import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('Scheduler on the system clock', () => {
  it('never runs a task early, runs them all, in deadline order', async () => {
    using scheduler = new Scheduler();
    const count = 5_000;
    const fired: number[] = [];
    let early = 0;
    const { promise: allFired, resolve } = deferred();
    for (let k = 0; k < count; k++) {
      const task = scheduler.defer((k * 7919) % 41, () => {
        if (performance.now() < deadline) early++;
        fired.push(deadline);
        if (fired.length === count) resolve();
      });
      const deadline = task.deadline!;
    }
    await allFired;
    expect(early).toBe(0);
    expect(fired).toHaveLength(count);
    expect(fired).toEqual([...fired].sort((a, b) => a - b));
    expect(scheduler.size).toBe(0);
  });

  it('counts a deferred delay from no earlier than the call, though the clock is read once per run', async () => {
    using scheduler = new Scheduler();
    const count = 2_000;
    let early = 0;
    let fired = 0;
    const { promise: allFired, resolve } = deferred();
    const tasks = [];
    for (let k = 0; k < count; k++) {
      const ms = k % 7;
      let calledBy = 0;
      const task = scheduler.defer(ms, () => {
        if (performance.now() < calledBy + ms) early++;
        if (++fired === count) resolve();
      });
      calledBy = performance.now(); // no earlier than the call
      tasks.push({ task, notBefore: calledBy + ms });
      // A busy run: the placement at its end must still not make anything due early.
      if (k % 500 === 0) while (performance.now() < calledBy + 2);
    }
    await Promise.resolve();
    const deadlinesTooEarly = tasks.filter(({ task, notBefore }) => task.deadline! < notBefore).length;
    await allFired;
    expect(deadlinesTooEarly).toBe(0);
    expect(early).toBe(0);
  });

  it('sleeps at least the requested time', async () => {
    using scheduler = new Scheduler();
    const start = performance.now();
    await scheduler.sleep(25);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });

  it('keeps a recurrence on its grid after a slow run, skipping the runs it missed', async () => {
    using scheduler = new Scheduler();
    const deadlines: number[] = [];
    const { promise: done, resolve } = deferred();
    let lateRuns = 0;
    const task = scheduler.recur(5, () => {
      const deadline = task.deadline!;
      if (performance.now() < deadline) lateRuns--;
      deadlines.push(deadline);
      if (deadlines.length === 1) {
        const until = performance.now() + 17;
        while (performance.now() < until); // a slow run: the runs due meanwhile are missed
      }
      if (deadlines.length === 8) {
        task.cancel();
        resolve();
      }
    });
    await done;
    expect(lateRuns).toBe(0);
    const start = deadlines[0]! - 5;
    const steps = deadlines.map((deadline) => (deadline - start) / 5);
    for (const [k, step] of steps.entries()) {
      expect(deadlines[k]).toBe(start + Math.round(step) * 5);
      if (k > 0) expect(step).toBeGreaterThan(steps[k - 1]!);
    }
    expect(steps[1]! - steps[0]!).toBeGreaterThanOrEqual(3);
  });

  it('accepts a delay beyond 2^31-1 ms without a TimeoutOverflowWarning and keeps it pending', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      using scheduler = new Scheduler();
      const task = scheduler.defer(2 ** 31 + 1_000, () => {});
      await scheduler.sleep(20);
      expect(task.pending).toBe(true);
      expect(warnings.filter((warning) => warning.name === 'TimeoutOverflowWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('arms one Node timer for many tasks and none once they are cancelled', async () => {
    const before = timers();
    using scheduler = new Scheduler();
    const tasks = Array.from({ length: 1_000 }, (_, k) => scheduler.defer(60_000 + k * 1_000, () => {}));
    // Deferred tasks are placed, and the timer armed, in a microtask at the end of the synchronous run.
    await Promise.resolve();
    expect(timers()).toBe(before + 1);
    for (const task of tasks) task.cancel();
    await Promise.resolve();
    expect(timers()).toBe(before);
  });

  it('with keepAlive: false arms only an unref\'d timer', async () => {
    const before = timers(); // counts only ref'd timers
    using scheduler = new Scheduler({ keepAlive: false });
    const { promise: fired, resolve } = deferred();
    scheduler.defer(20, resolve);
    // The timer is armed in a microtask at the end of the synchronous run: count after it.
    await Promise.resolve();
    expect(timers()).toBe(before);
    // ...and it was armed: the task runs on it.
    await fired;
  });

  it('with keepAlive: false lets the process exit while tasks are pending', async () => {
    const outcome = await runFixture('unref.mjs');
    expect(outcome).toMatchObject({ code: 0, stdout: 'scheduled 2\n', stderr: '' });
  });

  it('by default holds the process open until its tasks have run', async () => {
    const outcome = await runFixture('keep-alive.mjs');
    expect(outcome).toMatchObject({ code: 0, stdout: 'scheduled\nfired\n', stderr: '' });
  });

  it('reports a throwing task on stderr by name by default and keeps running', async () => {
    const outcome = await runFixture('default-on-error.mjs');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toBe('next ran\n');
    expect(outcome.stderr).toContain('task "brokenTask" threw; the scheduler keeps running');
    expect(outcome.stderr).toContain('Error: the task broke');
  });

  it('runs the README example: idle timeouts for 100,000 connections', async () => {
    const outcome = await runFixture('../examples/idle-timeout.mjs');
    expect(outcome).toMatchObject({
      code: 0,
      stdout:
        '100000 connections, 100000 idle timers, one Node timer\n' + 'closed when idle: 90000, closed after traffic: 10000\n',
      stderr: '',
    });
  });
});
