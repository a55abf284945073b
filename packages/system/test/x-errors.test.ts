// `x run`'s errors, through the real binary: the pre-check refuses a module that cannot run before any
// target is contacted (a missing package or file, an export that is not a function: exit 2), and a
// function's failure reaches the user with the user's files and lines and the error's own fields.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, x } from './helpers.js';

useLeakCheck();

const project = mkdtempSync(join(tmpdir(), 'x-errors-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** A target x would have to connect to (port 1 refuses): a run that names it proves nothing was contacted. */
const unreachable = 'nobody@127.0.0.1:1';

function write(files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(project, name)), { recursive: true });
    writeFileSync(join(project, name), text);
  }
}

beforeAll(() => {
  write({
    'package.json': '{ "name": "x-errors-project", "type": "module" }\n',
    'node_modules/present/package.json': '{ "name": "present", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
    'node_modules/present/index.js': '\nexport function explode() {\n  throw new Error("exploded in present");\n}\n',
    'uses-missing.ts': "import { helper } from './lib/helper.ts';\nexport function run(): string {\n  return helper();\n}\n",
    'lib/helper.ts': "import chalk from '@scoped/not-installed/colors';\nexport function helper(): string {\n  return String(chalk);\n}\n",
    'imports-missing-file.ts': "import { gone } from './lib/gone.js';\nexport const run = (): unknown => gone;\n",
    'kinds.ts': [
      "export const version: string = '1.0';",
      'export const limits = { cpu: 2 };',
      'export class Deployer {}',
      'export default 42;',
      'export const wrapped = Object.freeze((): number => 7);',
      'export async function works(): Promise<number> { return 1; }',
      '',
    ].join('\n'),
    'failing.ts': [
      "import { readFile } from 'node:fs/promises';",
      "import { explode } from 'present';",
      '',
      'interface Settings { path: string }',
      '',
      'export function inPackage(): never {',
      '  explode();',
      "  throw new Error('unreachable');",
      '}',
      '',
      'export async function readSettings(settings: Settings = { path: "/nonexistent/x-errors.json" }): Promise<string> {',
      "  return readFile(settings.path, 'utf8');",
      '}',
      '',
    ].join('\n'),
  });
});

describe('x run, before any target is contacted', () => {
  it('refuses a module importing a package that is not installed: exit 2, naming the package and the importing file', async () => {
    const result = await x(['run', '--on', unreachable, 'uses-missing.ts#run'], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^x: uses-missing\.ts: cannot find package '@scoped\/not-installed' imported from lib\/helper\.ts \(as '@scoped\/not-installed\/colors'\); install it in the project \(npm install @scoped\/not-installed\)/);
    expect(result.stderr).not.toMatch(/127\.0\.0\.1|refused|ERR_X_REMOTE/);
    expect(result.stdout).toBe('');
  });

  it('refuses a module importing a file that does not exist: exit 2, naming the import and where it is', async () => {
    const result = await x(['run', '--on', unreachable, 'imports-missing-file.ts#run'], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^x: imports-missing-file\.ts: cannot find "\.\/lib\/gone\.js" \(imported at imports-missing-file\.ts:1:\d+\)/);
  });

  it.each([
    ['version', 'a string'],
    ['limits', 'an object'],
    ['Deployer', 'a class'],
    ['default', 'a number'],
  ])('refuses an export that is not a function (%s, %s): exit 2', async (name, kind) => {
    const result = await x(['run', '--on', unreachable, `kinds.ts#${name}`], { cwd: project });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`x: kinds.ts exports '${name}' as ${kind}, not a function: x run calls a function`);
  });

  it('runs an export whose kind only running the module tells, and a function', async () => {
    const result = await x(['run', '--on', 'local', '--json', 'kinds.ts#wrapped'], { cwd: project });
    expect(jsonLines(result.stdout)).toMatchObject([{ ok: true, result: 7 }]);
    expect(jsonLines((await x(['run', '--on', 'local', '--json', 'kinds.ts#works'], { cwd: project })).stdout)).toMatchObject([{ ok: true, result: 1 }]);
  });
});

describe("x run, a function's failure", () => {
  it("shows with -v a stack through a package naming the package's file and the user's, never a module key", async () => {
    const result = await x(['run', '--on', 'local', '-v', 'failing.ts#inPackage'], { cwd: project });
    expect(result.code).toBe(1);
    // Headed as the summary heads it: the class the error had there.
    expect(result.stderr).toMatch(/^local \| failed: Error: exploded in present$/m);
    expect(result.stderr).toMatch(/^local +failed +\S+ m?s +Error: exploded in present$/m);
    expect(result.stderr).toContain(`${join(project, 'node_modules/present/index.js')}:3:9)`);
    expect(result.stderr).toContain(`${join(project, 'failing.ts')}:7:3)`);
    expect(result.stderr).not.toMatch(/\?x=|\[eval\]/);
  });

  it("gives a remote fs error's code, errno, syscall and path in --json", async () => {
    const result = await x(['run', '--on', 'local', '--json', 'failing.ts#readSettings'], { cwd: project });
    expect(result.code).toBe(1);
    expect(jsonLines(result.stdout)).toMatchObject([
      { ok: false, error: { name: 'Error', code: 'ENOENT', errno: -2, syscall: 'open', path: '/nonexistent/x-errors.json', context: 'local' } },
    ]);
  });
});
