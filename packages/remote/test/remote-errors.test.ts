// Errors thrown by functions in contexts, as the caller reads them: the class, the message, the stack
// naming the caller's own files and lines (never a module key or the core's frames), and the error's
// own fields (codec.ts's error encoding, modules/stack-paths.ts).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { RemoteError } from '../src/index.js';
import { ModuleServer } from '../src/modules/module-server.js';
import { StackPaths } from '../src/modules/stack-paths.js';
import { MAX_ERROR_FIELDS, TAG, decodePayload, encodePayload } from '../src/wire/codec.js';
import { eventually, quietRouter } from './helpers.js';

useLeakCheck();

const errs = new URL('./fixtures/errors/errs.ts', import.meta.url);
const packages = fileURLToPath(new URL('./fixtures/errors/node_modules/', import.meta.url));

/** `path:line:` of the first line of `file` that contains `text`. */
function place(file: string, text: string): string {
  const line = readFileSync(file, 'utf8').split('\n').findIndex((candidate) => candidate.includes(text));
  if (line < 0) throw new Error(`${file} has no line with ${text}`);
  return `${file}:${line + 1}:`;
}

async function failure(name: string, ...args: unknown[]): Promise<Error> {
  await using router = quietRouter();
  const ctx = await router.local({ name: 'thrower' });
  return (await ctx.call(errs, name, ...args).catch((error: unknown) => error)) as Error;
}

/** Every stack of `error` and its causes, and their messages: what a user could be shown. */
function shownText(error: unknown): string {
  let text = '';
  for (let current = error; current instanceof Error; current = current.cause) text += `${current.message}\n${current.stack}\n`;
  return text;
}

describe('an error from a context', () => {
  it("names the caller's TypeScript file and line, with no module key and none of the core's frames", async () => {
    const error = await failure('badType');
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('bad type here');
    expect(error.stack).toMatch(/^TypeError: bad type here\n {4}at \[thrower\] badType \(/);
    expect(error.stack).toContain(place(fileURLToPath(errs), "throw new TypeError('bad type here')"));
    expect(shownText(error)).not.toMatch(/\?x=|\[eval\]|<anonymous>:\d/);
  });

  it("maps a bundled package's frames to the package's own files and lines", async () => {
    const commonJs = await failure('inCommonJsPackage');
    expect(commonJs.message).toBe('failed in index.js');
    expect(commonJs.stack).toContain(place(`${packages}throw-cjs/index.js`, 'throw new Error'));
    const esm = await failure('inEsmPackage');
    expect(esm).toBeInstanceOf(RangeError);
    expect(esm.stack).toContain(place(`${packages}throw-esm/helper.js`, 'throw new RangeError'));
    expect(esm.stack).toContain(place(`${packages}throw-esm/index.js`, 'return helper()'));
    expect(shownText(commonJs) + shownText(esm)).not.toContain('?x=');
  });

  it('names the file, not its module key, in a message about the module', async () => {
    const error = await failure('noSuchExport');
    expect(error).toMatchObject({ name: 'NoSuchExportError', code: 'ERR_X_REMOTE_NO_EXPORT' });
    expect(error.message).toContain(fileURLToPath(errs));
    expect(shownText(error)).not.toContain('?x=');
  });

  it('carries its own fields that serialize, nested data included, and leaves functions behind', async () => {
    const error = (await failure('httpError')) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ name: 'HttpError', remoteName: 'HttpError', message: 'GET /items/7 failed with 404', context: 'thrower', status: 404, path: '/items/7' });
    expect(error['detail']).toEqual({ tried: ['a', 'b'], at: new Date(0), headers: new Map([['etag', 'x1']]) });
    expect(Object.keys(error)).not.toContain('retry');
  });

  it("arrives as a RemoteError for a plain Error, with its cause's fields", async () => {
    const error = (await failure('wrapped')) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ name: 'Error', remoteName: 'Error', message: 'could not load the settings' });
    expect(error.cause).toBeInstanceOf(RemoteError);
    expect(error.cause).toMatchObject({ message: 'inner', status: 500 });
  });

  it("arrives as a RemoteError for Node's fs errors, with code, errno, syscall and path", async () => {
    const error = (await failure('readMissing', '/nonexistent/settings.json')) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ code: 'ENOENT', errno: -2, syscall: 'open', path: '/nonexistent/settings.json', context: 'thrower' });
    expect(error.message).toContain('no such file or directory');
  });

  it('keeps a built-in class with its fields, none of which replaces a property the error has', async () => {
    const error = await failure('typeErrorWithFields');
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'not a port', expected: 'number', got: 'string', message2: 'kept', context: 'thrower' });
    expect(error.toString()).toBe('TypeError: not a port');
  });

  it("names the caller's files and lines in an error a function prints", async () => {
    await using router = quietRouter();
    const printed: string[] = [];
    router.onLog((record) => printed.push(record.text));
    const ctx = await router.local({ name: 'printer' });
    await ctx.call(errs, 'printsError');
    expect(await eventually(() => printed.join('\n').includes('failed in helper.js'))).toBe(true);
    const text = printed.join('\n');
    expect(text).toContain(place(`${packages}throw-esm/helper.js`, 'throw new RangeError'));
    expect(text).toContain(place(fileURLToPath(errs), '    failInEsm();'));
    expect(text).not.toContain('?x=');
  });

  it(`carries at most ${MAX_ERROR_FIELDS} fields`, async () => {
    const error = await failure('manyFields', MAX_ERROR_FIELDS + 10);
    expect(Object.keys(error).filter((key) => key.startsWith('field'))).toHaveLength(MAX_ERROR_FIELDS);
  });
});

describe('a forged error from a hostile context', () => {
  /** Decodes an error value as the root does: tagged by hand, as a context could send it. */
  function decoded(tagged: Record<string, unknown>): Error {
    const paths = new StackPaths(() => undefined);
    return decodePayload(encodePayload({ [TAG]: 'e', ...tagged }) as Buffer, (value) => value, 'hostile', false, (text) => paths.rewrite(text)) as Error;
  }

  it('cannot pollute prototypes or shadow what the error has through its fields', () => {
    // JSON.parse makes `__proto__` an own key, as v8's deserializer does.
    const fields = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "c", "toString": "t", "message": "m", "stack": "s", "context": "root", "code": {"not": "a code"}, "then": 1, "ok": "yes"}') as unknown;
    const error = decoded({ name: 'Forged', message: 'real', stack: '', f: fields });
    expect(error).toBeInstanceOf(RemoteError);
    expect(Object.getPrototypeOf(error)).toBe(RemoteError.prototype);
    expect(error).toMatchObject({ message: 'real', context: 'hostile', ok: 'yes' });
    expect(Object.keys(error)).not.toContain('constructor');
    expect(error).not.toHaveProperty('code');
    expect(String(error)).toBe('Forged: real');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect((error as unknown as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('cannot name a class outside the built-ins through its name', () => {
    for (const name of ['__proto__', 'constructor', 'hasOwnProperty', 'Object']) {
      const error = decoded({ name, message: 'm', stack: '' });
      expect(error).toBeInstanceOf(RemoteError);
      expect(error.name).toBe(name);
    }
  });

  it(`takes at most ${MAX_ERROR_FIELDS} fields and ignores fields that are not an object`, () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, index) => [`f${index}`, index]));
    expect(Object.keys(decoded({ name: 'Big', message: 'm', stack: '', f: many }))).toHaveLength(MAX_ERROR_FIELDS + 2);
    expect(Object.keys(decoded({ name: 'Odd', message: 'm', stack: '', f: [1, 2, 3] }))).toEqual(['remoteName', 'context']);
  });
});

describe('StackPaths.rewrite()', () => {
  const key = 'file:///srv/app/tasks.ts?x=0123456789abcdef';

  it('turns a key it never made into its path, and leaves other text alone', () => {
    const paths = new StackPaths(() => undefined);
    expect(paths.rewrite(`    at run (${key}:3:9)\n    at ${key}:4:1`)).toBe('    at run (/srv/app/tasks.ts:3:9)\n    at /srv/app/tasks.ts:4:1');
    expect(paths.rewrite(`module ${key} was never sent`)).toBe('module /srv/app/tasks.ts was never sent');
    for (const text of ['file:///a?x=12', 'no keys', '?x=0123456789abcdef', 'file://host/a.ts?x=0123456789abcdef:1:2']) expect(paths.rewrite(text)).toBe(text);
  });

  it("maps a line through the module's source map", () => {
    // Line 2 column 5 of the shipped code comes from line 10 column 3 of lib/index.js.
    const map = JSON.stringify({ version: 3, sources: ['lib/index.js'], names: [], mappings: ';IASE' });
    const paths = new StackPaths((asked) => (asked === key ? { url: 'file:///srv/app/tasks.ts', source: '', map } : undefined));
    expect(paths.rewrite(`    at f (${key}:2:5)`)).toBe('    at f (/srv/app/lib/index.js:10:3)');
  });

  it("maps a transformed file's lines through the map it ships with, for a context that did not apply it", async () => {
    const server = new ModuleServer();
    try {
      const graph = await server.graph(errs.href);
      const record = graph.modules.find((candidate) => candidate.key.startsWith(`${errs.href}?x=`))!;
      const lines = record.source.split('\n');
      const line = lines.findIndex((candidate) => candidate.includes('bad type here'));
      const paths = new StackPaths((key) => server.shipped(key));
      const frame = paths.rewrite(`    at badType (${record.key}:${line + 1}:${lines[line]!.indexOf('throw') + 1})`);
      expect(frame).toBe(`    at badType (${place(fileURLToPath(errs), "throw new TypeError('bad type here')")}3)`);
    } finally {
      await server.close();
    }
  });

  it("drops the core's frames from a stack that has others, and keeps them in one that has nothing else", () => {
    const core = '    at [c] #s (eval at <anonymous> ([eval]:1:481), <anonymous>:127:10548)';
    const paths = new StackPaths(() => undefined);
    expect(paths.rewrite(`Error: x\n    at [c] f (/srv/a.ts:1:2)\n${core}\n${core}`)).toBe('Error: x\n    at [c] f (/srv/a.ts:1:2)');
    expect(paths.rewrite(`Error: x\n${core}`)).toBe(`Error: x\n${core}`);
  });
});
