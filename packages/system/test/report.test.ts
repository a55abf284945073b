// How x reports a failure: errorJson (--json), errorSummary (the summary table) and describeError
// (the per-target line, and -v).
import { describe, expect, it } from 'vitest';
import { describeError, errorJson, errorSummary, jsonLine } from '../src/x/report.js';
import type { Target } from '../src/x/targets.js';

class ConnectFailure extends Error {
  readonly code = 'ERR_X_REMOTE_EOF';
  readonly stderrTail: string;
  constructor(message: string, stderrTail: string) {
    super(`${message}\nLast stderr lines:\n${stderrTail}`);
    this.stderrTail = stderrTail;
  }
}
Object.defineProperty(ConnectFailure.prototype, 'name', { value: 'EofError' });

describe('errorJson', () => {
  it('carries every own enumerable field that serializes, objects included, beside name, code and message', () => {
    const error = Object.assign(new Error('the outer failure'), {
      code: 'E_OUTER',
      status: 503,
      path: '/srv/app',
      detail: { attempts: [1, 2], ok: false, when: new Map([['a', 1]]) },
      missing: null,
      big: 10n,
    });
    expect(errorJson(error)).toEqual({
      name: 'Error',
      code: 'E_OUTER',
      message: 'the outer failure',
      status: 503,
      path: '/srv/app',
      detail: { attempts: [1, 2], ok: false, when: new Map([['a', 1]]) },
      missing: null,
      big: 10n,
    });
    // As --json prints it: a Map as an object, a BigInt as its digits.
    const line = JSON.parse(jsonLine({ target: { name: 't' } as Target, status: 'failed', error, durationMs: 1, attempts: 1 })) as { error: unknown };
    expect(line.error).toMatchObject({ detail: { attempts: [1, 2], ok: false, when: { a: 1 } }, big: '10' });
  });

  it('leaves out what JSON cannot carry: functions, symbols, cycles, a toJSON that throws', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    const error = Object.assign(new Error('m'), { fn: () => 1, sym: Symbol('s'), cyclic, broken: { toJSON: () => { throw new Error('no'); } }, kept: 1 });
    expect(errorJson(error)).toEqual({ name: 'Error', code: 'ERR_X_UNKNOWN', message: 'm', kept: 1 });
  });

  it('gives the cause as an error of its own, recursively, and stops at a cycle of causes after 8', () => {
    const inner = Object.assign(new RangeError('the inner reason'), { code: 'E_INNER', limit: 10 });
    const outer = new Error('outer', { cause: new TypeError('middle', { cause: inner }) });
    expect(errorJson(outer)).toEqual({
      name: 'Error',
      code: 'ERR_X_UNKNOWN',
      message: 'outer',
      cause: { name: 'TypeError', code: 'ERR_X_UNKNOWN', message: 'middle', cause: { name: 'RangeError', code: 'E_INNER', message: 'the inner reason', limit: 10 } },
    });
    const looped = new Error('looped');
    looped.cause = looped;
    let depth = 0;
    for (let json = errorJson(looped); json['cause']; json = json['cause'] as Record<string, unknown>) depth++;
    expect(depth).toBe(8);
    expect(errorJson(new Error('plain', { cause: { why: 'a value' } }))['cause']).toEqual({ why: 'a value' });
  });

  it('keeps a number code, names a thrown non-error, and adds the stack only when asked (--verbose)', () => {
    expect(errorJson(Object.assign(new Error('m'), { code: 42 }))['code']).toBe(42);
    expect(errorJson('a string')).toEqual({ name: 'Error', code: 'ERR_X_UNKNOWN', message: "'a string'" });
    expect(errorJson(new Error('m'))).not.toHaveProperty('stack');
    expect(errorJson(new Error('m'), true)['stack']).toMatch(/^Error: m\n {4}at /);
  });
});

describe('errorSummary', () => {
  it("gives the class, the code and what the connecting command said last: ssh's own words", () => {
    const error = new ConnectFailure('ssh for context web1 exited with status 255 before the first stage started.', 'Warning: something\nssh: connect to host 127.0.0.1 port 1: Connection refused\n');
    expect(errorSummary(error)).toBe('EofError ERR_X_REMOTE_EOF: ssh: connect to host 127.0.0.1 port 1: Connection refused');
  });

  it("gives a function's TypeError as `TypeError: message`, the message's first line only", () => {
    expect(errorSummary(new TypeError('bad type here\nmore'))).toBe('TypeError: bad type here');
    expect(errorSummary(Object.assign(new Error('failing'), { code: 'E_BROKEN' }))).toBe('Error E_BROKEN: failing');
  });
});

describe('describeError', () => {
  it('gives class, code and the whole message; verbose adds the stack, own fields and causes', () => {
    const error = Object.assign(new Error('outer\nsecond line', { cause: new RangeError('inner') }), { code: 'E_OUTER', status: 503 });
    expect(describeError(error)).toBe('Error E_OUTER: outer\nsecond line');
    const verbose = describeError(error, true);
    expect(verbose).toMatch(/^Error E_OUTER: outer\nsecond line\n {4}at .*report\.test\.ts:\d+:\d+/);
    expect(verbose).toContain("code: 'E_OUTER'");
    expect(verbose).toContain('status: 503');
    expect(verbose).toMatch(/\[cause\]: RangeError: inner\n {6}at /);
  });

  it('heads a verbose error with the name it carries, not the class it arrived as', () => {
    class Arrived extends Error {}
    const error = new Arrived('from a target');
    Object.defineProperty(error, 'name', { value: 'ValidationError' });
    error.stack = 'ValidationError: from a target\n    at [web1] check (/srv/app/check.ts:3:9)';
    expect(describeError(error, true)).toBe('ValidationError: from a target\n    at [web1] check (/srv/app/check.ts:3:9)');
  });
});
