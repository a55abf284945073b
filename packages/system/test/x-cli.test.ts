// The x command line: help, usage errors (exit 2, one line saying what is wrong, then the usage line),
// and input checked before any target is contacted.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtures, repoRoot, tasks, x } from './helpers.js';

useLeakCheck();

const scratch = mkdtempSync(join(tmpdir(), 'x-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Checks a usage error: status 2, nothing on stdout, the message line, then the usage line. */
function expectUsageError(result: { code: number | null; stdout: string; stderr: string }, message: RegExp, usage: RegExp = /^usage: x /): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^x: /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(usage);
}

describe('x --help', () => {
  it('lists every command, the options and the target syntax, and exits 0', async () => {
    const result = await x(['--help']);
    expect(result.code).toBe(0);
    for (const word of ['run', 'exec', 'ping', 'copy', 'apply', '--on', '--parallel', '--timeout', '--json', '--quiet', '--fail-fast', '--inventory', '--batch N|P%', '--max-fail-percent P', '--retries N', '--verbose', 'local*8', 'ssh://web1/sudo:root', '@group']) {
      expect(result.stdout).toContain(word);
    }
    expect(result.stderr).toBe('');
  });

  it.each(['run', 'exec', 'ping', 'copy', 'apply'])('x %s --help gives the usage line and examples', async (command) => {
    const result = await x([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: x ${command} --on TARGETS`));
    expect(result.stdout).toContain('Examples');
    expect(result.stdout).toContain(`  x ${command} --on `);
  });
});

describe('x --version', () => {
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'packages/system/package.json'), 'utf8')) as { version: string };
  const expected = `x ${version} (node ${process.version})\n`;

  it("prints @x/system's version and node's, from the built bin, and exits 0", async () => {
    for (const flag of ['--version', '-V']) expect(await x([flag])).toMatchObject({ code: 0, stdout: expected, stderr: '' });
  });

  it('prints the same from the published layout (the files package.json ships, installed elsewhere)', async () => {
    const { files } = JSON.parse(readFileSync(join(repoRoot, 'packages/system/package.json'), 'utf8')) as { files: string[] };
    const installed = join(scratch, 'node_modules/@x/system');
    cpSync(join(repoRoot, 'packages/system/package.json'), join(installed, 'package.json'));
    for (const entry of files.filter((file) => !file.startsWith('!'))) cpSync(join(repoRoot, 'packages/system', entry), join(installed, entry), { recursive: true });
    // Its dependencies, as an installation would have them.
    symlinkSync(join(repoRoot, 'packages/system/node_modules'), join(installed, 'node_modules'));
    // --version starts no context: nothing to wait for or to leave behind.
    const result = spawnSync(process.execPath, [join(installed, 'bin/x.js'), '--version'], { cwd: scratch, encoding: 'utf8' });
    expect(result).toMatchObject({ status: 0, stdout: expected, stderr: '' });
  });
});

describe('usage errors', () => {
  it.each([
    [[], /say which command/],
    [['frob'], /'frob' is not an x command/],
    [['run', '--on', 'local', '--frob', tasks + '#whoami'], /Unknown option '--frob'/],
    [['run', tasks + '#whoami'], /run needs --on TARGETS/],
    [['run', '--on', 'local'], /run needs MODULE#EXPORT/],
    [['run', '--on', 'local', tasks], /does not name an export/],
    [['exec', '--on', 'local'], /exec needs a COMMAND/],
    [['ping', '--on', 'local', 'extra'], /ping takes no arguments/],
    [['ping', '--on', 'local', '--parallel', '0'], /--parallel takes a whole number of at least 1, got '0'/],
    [['ping', '--on', 'local', '--timeout', 'soon'], /--timeout takes a whole number of at least 1, got 'soon'/],
    [['copy', '--on', 'local', 'only-src'], /copy takes one or more SRC and a DEST, got 1 argument\./],
    [['ping', '--on', 'local', '--batch', '0'], /--batch takes a count \(N, at least 1\) or a share of the targets \(P%\), got '0'/],
    [['ping', '--on', 'local', '--batch', '0%'], /--batch takes a count \(N\) or a share of the targets \(P%\) above 0, got '0%'/],
    [['ping', '--on', 'local', '--batch', 'half'], /--batch takes a count \(N, at least 1\) or a share of the targets \(P%\), got 'half'/],
    [['ping', '--on', 'local', '--batch', '150%'], /--batch takes a percentage from 0 to 100, got '150%'/],
    [['ping', '--on', 'local', '--max-fail-percent', '101'], /--max-fail-percent takes a percentage from 0 to 100, got '101'/],
    [['ping', '--on', 'local', '--max-fail-percent=-1'], /--max-fail-percent takes a percentage from 0 to 100, got '-1'/],
    [['ping', '--on', 'local', '--retries=-1'], /--retries takes a whole number from 0 to 100, got '-1'/],
    [['ping', '--on', 'local', '--retries', 'many'], /--retries takes a whole number from 0 to 100, got 'many'/],
  ])('x %j exits 2 with a one-line message and the usage line', async (args, message) => {
    expectUsageError(await x(args), message);
  });

  it.each([
    ['local*0', /the count after local\* must be a whole number from 1/],
    ['local*x', /the count after local\* must be a whole number/],
    ['bad host!', /'bad host!' is not a target/],
    ['local,,local', /empty target/],
    ['ssh://web1/', /ends with a slash/],
    ['ssh://web1//sudo', /empty step/],
    ['web1:99999', /port '99999' must be a number from 1 to 65535/],
    ['ssh://web1/local', /local can only start a chain/],
    ['sudo:bad user', /not a user name/],
    ['@web', /no inventory/],
  ])('an unknown target syntax (%s) is a usage error naming it', async (on, message) => {
    expectUsageError(await x(['ping', '--on', on]), message, /^usage: x ping --on TARGETS/);
  });

  it('x copy with a SRC that does not exist exits 2 naming it, and contacts no target', async () => {
    const contacts = join(scratch, 'copy-contacts');
    const result = await x(['copy', '--on', 'local*2', join(scratch, 'no-such-file'), '/tmp/x-copy-never'], { env: preload(contacts) });
    expectUsageError(result, /SRC '.*no-such-file' does not exist here \[ENOENT\]; no target was contacted\./, /^usage: x copy --on TARGETS/);
    expect(readContacts(contacts)).toEqual([]);
  });
});

function preload(contacts: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `--require ${fixtures}count-contexts.cjs`, X_TEST_CONTACTS: contacts };
}

function readContacts(path: string): string[] {
  try {
    // A context's loader-hooks thread runs the preload too: count processes, not lines.
    return [...new Set(readFileSync(path, 'utf8').split('\n').filter(Boolean))];
  } catch {
    return [];
  }
}

describe('the module and export of x run', () => {
  it('a module that does not exist is a usage error, before any target is contacted', async () => {
    const contacts = join(scratch, 'missing-module');
    const result = await x(['run', '--on', 'local*2', './no-such-module.ts#hostInfo'], { env: preload(contacts) });
    expectUsageError(result, /no-such-module\.ts: no such module/);
    expect(readContacts(contacts)).toEqual([]);
  });

  it('an export that does not exist is a usage error listing the exports, before any target is contacted', async () => {
    const contacts = join(scratch, 'missing-export');
    const result = await x(['run', '--on', 'local*2', `${tasks}#nope`], { env: preload(contacts) });
    expectUsageError(result, /has no export named 'nope' \(its exports: chatty, echo, fail, hold, hopPid, sleep, whoami\)/);
    expect(readContacts(contacts)).toEqual([]);
  });

  it('a module that does not parse is a usage error naming the place', async () => {
    const broken = join(scratch, 'broken.ts');
    writeFileSync(broken, 'export const a: number = ;\n');
    expectUsageError(await x(['run', '--on', 'local', `${broken}#a`]), /broken\.ts: Unexpected ";" \(.*broken\.ts:1:26\)/);
  });

  it('the same run with a module and export that exist does contact the targets (the check above is real)', async () => {
    const contacts = join(scratch, 'contacted');
    const result = await x(['run', '--on', 'local*2', '--json', `${tasks}#whoami`], { env: preload(contacts) });
    expect(result.code).toBe(0);
    expect(readContacts(contacts)).toHaveLength(2);
  });
});
