import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { publicPackages } from '../src/index.js';

// Every package rejects bad input with its own exported InvalidArgumentError, and all of them have one
// shape, so code handling x's errors needs one rule: a TypeError named 'InvalidArgumentError', code
// ERR_X_INVALID_ARG, `argument` naming what was rejected, one message form, and a Symbol.for brand so
// it is recognised across installed copies of its package.

type Shaped = Error & { code?: unknown; argument?: unknown };
type ErrorClass = new (argument: string, expected: string, value: unknown) => Shaped;

function brands(error: object): string[] {
  const keys: string[] = [];
  for (let o: object | null = error; o !== null; o = Object.getPrototypeOf(o)) {
    for (const symbol of Object.getOwnPropertySymbols(o)) {
      const key = Symbol.keyFor(symbol);
      if (key?.startsWith('@x/') && (error as Record<symbol, unknown>)[symbol] === true) keys.push(key);
    }
  }
  return keys;
}

function expectShape(error: unknown, cls: ErrorClass, argument: string): void {
  expect(error).toBeInstanceOf(cls);
  expect(error).toBeInstanceOf(Error);
  const e = error as Shaped;
  expect({ name: e.name, code: e.code, argument: e.argument }).toEqual({ name: 'InvalidArgumentError', code: 'ERR_X_INVALID_ARG', argument });
  expect(e.message).toMatch(new RegExp(`^Expected \`${argument.replace('.', '\\.')}\` to be .+, got .+\\.$`));
  expect(brands(e)).not.toEqual([]);
}

const packages = publicPackages()
  .map(({ dir, manifest }) => ({ name: manifest.name, entry: path.join(dir, 'dist', 'index.js') }))
  .filter(({ entry }) => fs.existsSync(entry));

describe('InvalidArgumentError', () => {
  for (const { name, entry } of packages) {
    it(`${name}: exports one of the one shape, constructed as (argument, expected, value)`, async () => {
      const cls = (await import(pathToFileURL(entry).href)).InvalidArgumentError as ErrorClass | undefined;
      if (name === '@x/system' || name === '@x/native') return expect(cls).toBeUndefined(); // a meta-package and the addon (its errors are Node's TypeError shape)
      expect(cls, `${name} exports no InvalidArgumentError`).toBeTypeOf('function');
      const error = new cls!('options.size', 'a positive integer', -1);
      expectShape(error, cls!, 'options.size');
      expect(error.message).toBe('Expected `options.size` to be a positive integer, got -1 (number).');
    });
  }

  // One real rejection at each package's boundary: the class a caller catches is the one thrown.
  const rejections: Record<string, [argument: string, reject: (m: Record<string, any>) => unknown]> = {
    '@x/signals': ['name', (m) => m.signalCode('terminal/nope')],
    '@x/latch': ['options.capacity', (m) => new m.Latch({ capacity: -1 })],
    '@x/scheduler': ['options.resolutionMs', (m) => new m.Scheduler({ resolutionMs: 0 })],
    '@x/coro': ['acts', (m) => m.setSelfishness(0)],
    '@x/kernel-io': ['start', (m) => m.readFileRange('/dev/null', 10, 5)],
    '@x/process': ['executable', (m) => new m.Invocation('')],
  };
  for (const [name, [argument, reject]] of Object.entries(rejections)) {
    it(`${name}: rejects a bad argument with it`, async () => {
      const entry = packages.find((p) => p.name === name)?.entry;
      expect(entry, `${name} is not built`).toBeDefined();
      const m = await import(pathToFileURL(entry!).href);
      let thrown: unknown;
      try {
        reject(m);
      } catch (error) {
        thrown = error;
      }
      expectShape(thrown, m.InvalidArgumentError, argument);
    });
  }
});
