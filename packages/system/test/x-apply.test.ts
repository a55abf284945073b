// `x apply` against local contexts through the real binary: each resource's line as it completes, the
// recap, diffs, --json, check mode (nothing changes on disk, and it reports what the apply then
// changes), idempotency, a failing resource stopping its target only, exit statuses and usage errors.
import { randomUUID } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ttyCreateChild } from '@x/process';
import { useLeakCheck } from '@x/test-env';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoneLeft, jsonLines, repoRoot, x, xBin, resourceLines, treeHash } from './helpers.js';

useLeakCheck();

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A project directory outside the repository whose node_modules has @x/ops (and, with `typescript`,
 * TypeScript and Node's types), and an empty `root` for the site's files.
 */
function project(options: { typescript?: boolean } = {}): { dir: string; root: string; write: (name: string, text: string) => string; run: typeof x } {
  const dir = mkdtempSync(join(tmpdir(), 'x-apply-test-'));
  made.push(dir);
  mkdirSync(join(dir, 'node_modules', '@x'), { recursive: true });
  symlinkSync(join(repoRoot, 'packages', 'ops'), join(dir, 'node_modules', '@x', 'ops'));
  if (options.typescript) {
    symlinkSync(join(repoRoot, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'));
    mkdirSync(join(dir, 'node_modules', '@types'));
    symlinkSync(join(repoRoot, 'node_modules', '@types', 'node'), join(dir, 'node_modules', '@types', 'node'));
  }
  const root = join(dir, 'root');
  mkdirSync(root);
  return {
    dir,
    root,
    write(name, text) {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    },
    // From the project's directory, as a user runs it: the site's lines are shown relative to it.
    run: (args, xOptions) => x(args, { cwd: dir, ...xOptions }),
  };
}

/** A site of six resources under `root`: a directory, a file, a line, a block and a guarded command. */
function appSite(root: string, port = 8080): string {
  return `import { block, command, directory, file, line } from '@x/ops';
export default async function site() {
  await directory('${root}/app', { mode: 0o755 });
  await file('${root}/app/config.json', { content: JSON.stringify({ port: ${port} }) + '\\n', mode: 0o640 });
  await line('${root}/app/hosts', { line: '10.0.0.5 db', match: /\\sdb$/, create: true });
  await block('${root}/app/app.conf', { content: 'listen ${port}', create: true });
  await command(['sh', '-c', 'echo built > built'], { cwd: '${root}/app', creates: 'built' });
}
`;
}



describe('x apply', () => {
  it('prints each resource as it completes and a recap; a second apply changes nothing', async () => {
    const { root, write, run } = project();
    const site = write('site.ts', appSite(root));
    const first = await run(['apply', '--on', 'local', site]);
    expect(first.code, first.stderr).toBe(0);
    expect(resourceLines(first.stdout)).toEqual([
      `changed directory ${root}/app`,
      `changed file ${root}/app/config.json`,
      `changed line ${root}/app/hosts`,
      `changed block ${root}/app/app.conf`,
      "changed command sh -c 'echo built > built'",
    ]);
    expect(first.stdout).toContain(`local | changed  file ${root}/app/config.json  (`);
    expect(first.stderr).toMatch(/\nRECAP\nlocal +ok=0 +changed=5 +failed=0 +\S+ \S+\n1 of 1 target succeeded in /);
    expect(readFileSync(`${root}/app/config.json`, 'utf8')).toBe('{"port":8080}\n');
    expect(lstatSync(`${root}/app/config.json`).mode & 0o777).toBe(0o640);
    expect(readFileSync(`${root}/app/built`, 'utf8')).toBe('built\n');
    expect(first.stdout + first.stderr).not.toContain('\x1b');

    const second = await run(['apply', '--on', 'local', site]);
    expect(second.code, second.stderr).toBe(0);
    expect(resourceLines(second.stdout).every((line) => line.startsWith('ok '))).toBe(true);
    expect(resourceLines(second.stdout)).toHaveLength(5);
    expect(second.stderr).toMatch(/\nlocal +ok=5 +changed=0 +failed=0 /);
  });

  it('--check changes nothing on disk and reports what the apply then changes; after it, --check reports 0 changed', async () => {
    const { root, write, run } = project();
    const site = write('site.ts', appSite(root));
    writeFileSync(join(root, 'keep'), 'untouched\n');
    const before = treeHash(root);
    const check = await run(['apply', '--on', 'local*2', '--check', site]);
    expect(check.code, check.stderr).toBe(0);
    expect(treeHash(root)).toBe(before);
    expect(check.stderr).toContain('RECAP (check mode: nothing was changed)');
    const applied = await run(['apply', '--on', 'local', site]);
    expect(applied.code, applied.stderr).toBe(0);
    for (const target of ['local-1', 'local-2']) expect(resourceLines(check.stdout, target)).toEqual(resourceLines(applied.stdout));
    expect(treeHash(root)).not.toBe(before);

    const after = treeHash(root);
    const again = await run(['apply', '--on', 'local', '--check', site]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/\nlocal +ok=5 +changed=0 +failed=0 /);
    expect(treeHash(root)).toBe(after);
  });

  it('--diff shows a unified diff of each content change, with no colours in a pipe', async () => {
    const { root, write, run } = project();
    await run(['apply', '--on', 'local', write('site.ts', appSite(root))]);
    const changed = write('changed.ts', appSite(root, 9090));
    const result = await run(['apply', '--on', 'local', '--diff', changed]);
    expect(result.code, result.stderr).toBe(0);
    const diff = result.stdout.split('\n').filter((line) => line.startsWith('local | ') && !/^local \| (ok|changed) /.test(line));
    expect(diff.join('\n')).toContain(
      [`local | --- ${root}/app/config.json (before)`, `local | +++ ${root}/app/config.json (after)`, 'local | @@ -1,1 +1,1 @@', 'local | -{"port":8080}', 'local | +{"port":9090}'].join('\n'),
    );
    expect(diff.join('\n')).toMatch(/local \| -listen 8080\nlocal \| \+listen 9090/);
    expect(result.stdout).not.toContain('\x1b');
    // --check --diff shows the same diff and changes nothing.
    const back = write('back.ts', appSite(root));
    const before = treeHash(root);
    const check = await run(['apply', '--on', 'local', '--check', '--diff', back]);
    expect(check.stdout).toContain('local | -{"port":9090}\nlocal | +{"port":8080}');
    expect(treeHash(root)).toBe(before);
  });

  it('colours the statuses and the diff on a terminal only', async () => {
    const { dir, root, write, run } = project();
    await run(['apply', '--on', 'local', write('site.ts', appSite(root))]);
    const changed = write('changed.ts', appSite(root, 9090));
    const marker = randomUUID();
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', X_TEST_MARKER: marker };
    delete env['NO_COLOR'];
    delete env['FORCE_COLOR'];
    delete env['CI'];
    const child = ttyCreateChild(process.execPath, [xBin, 'apply', '--on', 'local', '--diff', changed], { pty: { cols: 160, rows: 40 }, env, cwd: dir });
    let screen = '';
    for await (const chunk of child.terminal!.input) screen += chunk;
    expect(await child.exited).toMatchObject({ code: 0 });
    await expectNoneLeft(marker);
    expect(screen).toMatch(/\x1b\[\d+mchanged\x1b\[\d+m  file /);
    expect(screen).toMatch(/\x1b\[31m-\{"port":8080\}\x1b\[39m/);
    expect(screen).toMatch(/\x1b\[32m\+\{"port":9090\}\x1b\[39m/);
  });

  it('examples/site.ts runs against local: everything changed the first time, nothing the second', async () => {
    const { root } = project();
    const env = { X_SITE_DIR: join(root, 'example') };
    const first = await x(['apply', '--on', 'local', 'examples/site.ts'], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/\nlocal +ok=0 +changed=7 +failed=0 /);
    expect(readFileSync(join(root, 'example', 'hosts'), 'utf8')).toBe('10.0.0.5 db\n');
    const second = await x(['apply', '--on', 'local', '--diff', 'examples/site.ts'], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/\nlocal +ok=6 +changed=0 +failed=0 /);
  });

  it('--json prints one object per resource per target, then one summary per target', async () => {
    const { root, write, run } = project();
    const result = await run(['apply', '--on', 'local*2', '--json', '--diff', write('site.ts', appSite(root))]);
    expect(result.code, result.stderr).toBe(0);
    const objects = jsonLines(result.stdout);
    for (const target of ['local-1', 'local-2']) {
      const mine = objects.filter((object) => object['target'] === target);
      expect(mine).toHaveLength(6);
      expect(mine.slice(0, 5).map((object) => [object['type'], object['resource']])).toEqual([
        ['resource', 'directory'],
        ['resource', 'file'],
        ['resource', 'line'],
        ['resource', 'block'],
        ['resource', 'command'],
      ]);
      expect(mine[5]).toMatchObject({ type: 'summary', ok: true });
    }
    const files = objects.filter((object) => object['resource'] === 'file');
    // Both targets write the same file: one of them creates it (with a diff from nothing), or both see it missing at once.
    expect(files.some((object) => object['status'] === 'changed' && object['diff']?.after === '{"port":8080}\n')).toBe(true);
    for (const object of files) expect(object).toMatchObject({ name: `${root}/app/config.json`, durationMs: expect.any(Number) });
    const summaries = objects.filter((object) => object['type'] === 'summary');
    const total = summaries.reduce((sum, object) => sum + object['summary'].ok + object['summary'].changed, 0);
    expect(total).toBe(10);
    expect(summaries.every((object) => object['summary'].failed === 0)).toBe(true);
  });

  it('a failing resource stops its target’s site, with the error and the site’s line; the other targets go on; exit 1', async () => {
    const { root, write, run } = project();
    // mkdir is atomic: one target makes the lock, the other's mkdir fails.
    const site = write(
      'site.ts',
      `import { command, file } from '@x/ops';
export default async function site() {
  await file('${root}/first-' + process.pid, { content: 'a' });
  await command(['sh', '-c', 'echo trying; mkdir ${root}/lock']);
  await file('${root}/after-' + process.pid, { content: 'b' });
}
`,
    );
    const result = await run(['apply', '--on', 'local*2', site]);
    expect(result.code).toBe(1);
    const lines = [resourceLines(result.stdout, 'local-1'), resourceLines(result.stdout, 'local-2')];
    const failing = lines.findIndex((list) => list.some((line) => line.startsWith('failed ')));
    expect(failing).not.toBe(-1);
    expect(lines[failing]).toEqual([expect.stringMatching(/^changed file /), `failed command sh -c 'echo trying; mkdir ${root}/lock'`]);
    expect(lines[1 - failing]).toEqual([expect.stringMatching(/^changed file /), expect.stringMatching(/^changed command /), expect.stringMatching(/^changed file .*after-/)]);
    const name = `local-${failing + 1}`;
    expect(result.stderr).toMatch(new RegExp(`^${name} \\| failed: CommandFailedError ERR_X_OPS_COMMAND_FAILED: site\\.ts:4:\\d+: .* exited with status 1`, 'm'));
    // The output's tail names what went wrong.
    expect(result.stderr).toMatch(/File exists/);
    expect(result.stderr).toMatch(new RegExp(`\\n${name} +ok=0 +changed=1 +failed=1 .*failed: `));
    expect(result.stderr).toMatch(new RegExp(`\\nlocal-${2 - failing} +ok=0 +changed=3 +failed=0 `));
    expect(readdirSync(root).filter((entry) => entry.startsWith('after-'))).toHaveLength(1);

    const json = await run(['apply', '--on', 'local', '--json', site]);
    expect(json.code).toBe(1);
    const objects = jsonLines(json.stdout);
    expect(objects.map((object) => object['status'] ?? object['type'])).toEqual(['changed', 'failed', 'summary']);
    expect(objects[1]).toMatchObject({ resource: 'command', error: { code: 'ERR_X_OPS_COMMAND_FAILED' } });
    expect(objects[2]).toMatchObject({ ok: false, error: { code: 'ERR_X_OPS_COMMAND_FAILED', site: expect.stringMatching(/^site\.ts:4:\d+$/) }, summary: { ok: 0, changed: 1, failed: 1 } });
  });

  it('an error the site throws itself stops it too, with the site’s line', async () => {
    const { root, write, run } = project();
    const site = write(
      'site.ts',
      `import { directory } from '@x/ops';
export default async function site() {
  await directory('${root}/made');
  throw new RangeError('no such environment');
}
`,
    );
    const result = await run(['apply', '--on', 'local', site]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^local \| failed: RangeError: site\.ts:4:\d+: no such environment$/m);
    expect(result.stderr).toMatch(/\nlocal +ok=0 +changed=1 +failed=1 /);
  });

  it('a target that cannot be reached fails with its connection error in the recap; the others apply', async () => {
    const { root, write, run } = project();
    const result = await run(['apply', '--on', 'local,ssh://nobody@127.0.0.1:1', '--timeout', '30000', write('site.ts', appSite(root))]);
    expect(result.code).toBe(1);
    expect(resourceLines(result.stdout)).toHaveLength(5);
    expect(result.stderr).toMatch(/\nlocal +ok=0 +changed=5 +failed=0 /);
    expect(result.stderr).toMatch(/\nssh:\/\/nobody@127\.0\.0\.1:1 +ok=0 +changed=0 +failed=0 +\S+ \S+ +failed: \w+ ERR_X_REMOTE_\w+/);
  });

  it('runs a named export with SITE#EXPORT', async () => {
    const { root, write, run } = project();
    const site = write('site.ts', `import { directory } from '@x/ops';\nexport async function web() { await directory('${root}/web'); }\n`);
    const result = await run(['apply', '--on', 'local', '--quiet', `${site}#web`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(resourceLines(result.stdout)).toEqual([`changed directory ${root}/web`]);
  });

  it('usage errors exit 2 before any target is contacted', async () => {
    const { dir, root, write, run } = project();
    const none = await run(['apply', '--on', 'local']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('apply needs SITE');
    const missing = await run(['apply', '--on', 'local', join(dir, 'nope.ts')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such module');
    const notFunction = write('object.ts', 'export default { site: true };\n');
    const object = await run(['apply', '--on', 'local', notFunction]);
    expect(object.code).toBe(2);
    expect(object.stderr).toContain('not a function');
    const two = await run(['apply', '--on', 'local', notFunction, notFunction]);
    expect(two.code).toBe(2);
    const noTargets = await run(['apply', write('ok.ts', appSite(root))]);
    expect(noTargets.code).toBe(2);
    expect(noTargets.stderr).toContain('apply needs --on TARGETS');
    expect(readdirSync(root)).toEqual([]);
  });

  it('typechecks the site where its project has TypeScript: wrong resource options are a usage error (exit 2)', async () => {
    const { root, write, run } = project({ typescript: true });
    const bad = `import { directory, file } from '@x/ops';
export default async function site() {
  await directory('${root}/app');
  await file('${root}/app/x', { content: 'x', mode: '0644' });
  await file('${root}/app/y', { content: 'y', owners: 'root' });
}
`;
    const site = write('site.ts', bad);
    const result = await run(['apply', '--on', 'local', site]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^x: site\.ts does not typecheck \(TypeScript \d+\.\d+\.\d+\); fix it, or pass --no-typecheck:$/m);
    expect(result.stderr).toMatch(/^ {2}site\.ts:4:\d+ .*'string' is not assignable to type 'number'/m);
    expect(result.stderr).toMatch(/^ {2}site\.ts:5:\d+ .*'owners'/m);
    expect(existsSync(`${root}/app`)).toBe(false);
    // A well-typed site passes the typecheck and runs.
    const good = await run(['apply', '--on', 'local', '--quiet', write('good.ts', appSite(root))]);
    expect(good.code, good.stderr).toBe(0);

    // --no-typecheck skips it: the resource refuses the option on the target, a failure (exit 1), not a usage error.
    const unchecked = await run(['apply', '--on', 'local', '--no-typecheck', site]);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/InvalidArgumentError ERR_X\w*_INVALID_ARG: site\.ts:4:\d+: Expected `options\.mode`/);
  });

  it('without TypeScript in the site’s project, the other checks still run and the site is not typechecked', async () => {
    const { root, write, run } = project();
    const site = write('site.ts', `import { directory } from '@x/ops';\nexport default async function site() { const n: number = 'not checked' as unknown as number; await directory('${root}/d' + String(n).length); }\n`);
    const result = await run(['apply', '--on', 'local', '--quiet', site]);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(`${root}/d11`)).toBe(true);
  });

  it('x --help lists apply, and x apply --help says what it does', async () => {
    const main = await x(['--help']);
    expect(main.stdout).toMatch(/^ {2}apply +apply a site of @x\/ops resources/m);
    const help = await x(['apply', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: x apply --on TARGETS [OPTIONS] SITE[#EXPORT]');
    expect(help.stdout).toContain('--check');
  });
});
