import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, profiler, sleep, spawn } from '../src/index.js';
import { run } from './support.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('profiler', () => {
  it('reports calls, exclusive and inclusive time per function, with <main> and <wait>', async () => {
    profiler.start();
    expect(profiler.running).toBe(true);
    function* inner() {
      busy(4);
      yield* sleep(1);
      busy(4);
    }
    function* outer() {
      busy(2);
      yield* profiler.profiled('inner', inner());
      yield* profiler.profiled('inner', inner());
    }
    const co = spawn(function* worker() {
      yield* profiler.profiled('outer', outer());
    });
    await run(() => co.join());
    const report = profiler.stop();
    expect(profiler.running).toBe(false);
    const byName = new Map(report.entries.map((entry) => [entry.name, entry]));
    expect(byName.get('inner')).toMatchObject({ calls: 2 });
    expect(byName.get('outer')).toMatchObject({ calls: 1 });
    expect(byName.get('worker')).toMatchObject({ calls: 1 });
    const innerEntry = byName.get('inner')!;
    const outerEntry = byName.get('outer')!;
    // outer's inclusive time holds inner's; its exclusive time does not. Sleeping is charged to nobody.
    expect(outerEntry.inclusiveMs).toBeGreaterThanOrEqual(innerEntry.inclusiveMs + outerEntry.exclusiveMs - 0.001);
    expect(innerEntry.exclusiveMs).toBeCloseTo(innerEntry.inclusiveMs, 3);
    expect(byName.has('<main>')).toBe(true);
    expect(byName.has('<wait>')).toBe(true);
    expect(report.format()).toMatch(/calls +exclusive ms +inclusive ms +function\n/);
  });

  it('refuses stop() when not running', () => {
    expect(() => profiler.stop()).toThrow(InvalidArgumentError);
  });
});
