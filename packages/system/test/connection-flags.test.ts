// The connection flags (-i, -o, --node-path, --check-host-keys, --max-message-size, -K, --ask-pass):
// how they parse, the usage errors they give before any target is contacted, and --max-message-size
// reaching the router. The sshd tests use them against a real sshd.
import { spawn } from 'node:child_process';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { parseSize } from '../src/x/connection-flags.js';
import { jsonLines, repoRoot, tasks, x, xBin } from './helpers.js';

useLeakCheck();

describe('parseSize()', () => {
  it('reads bytes and K, M, G as powers of 1024, with an optional iB or B', () => {
    expect(parseSize('--max-message-size', '65536')).toBe(65_536);
    expect(parseSize('--max-message-size', '64K')).toBe(65_536);
    expect(parseSize('--max-message-size', '64MiB')).toBe(64 * 1024 ** 2);
    expect(parseSize('--max-message-size', '1g')).toBe(1024 ** 3);
  });

  it.each(['', 'big', '1.5M', '-1', '64T', '512', '4G'])("refuses '%s' with a usage error naming the option", (text) => {
    expect(() => parseSize('--max-message-size', text)).toThrow(expect.objectContaining({ code: 'ERR_X_USAGE', message: expect.stringContaining('--max-message-size') }));
  });
});

describe('x connection flags', () => {
  it.each([
    [['-i', '/nonexistent/key'], /--identity \/nonexistent\/key: no such file/],
    [['--check-host-keys', 'yes'], /--check-host-keys takes strict, accept or ignore, got 'yes'/],
    [['--ssh-option=-oProxyCommand=x'], /--ssh-option '-oProxyCommand=x' is not an ssh option/],
    [['--max-message-size', '10'], /--max-message-size must be from 1K/],
  ])('%j is a usage error (exit 2) before any target is contacted', async (flags, message) => {
    const result = await x(['ping', '--on', 'ssh://192.0.2.1', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/192\.0\.2\.1 \|/);
  });

  it('-K without a terminal is a usage error, not a hang', async () => {
    // detached: a new session, with no controlling terminal to ask on.
    const child = spawn(process.execPath, [xBin, 'ping', '--on', 'local', '-K'], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/-K\/--ask-become-pass asks for the password on a terminal, and x has none/);
  });

  it('--max-message-size bounds what a target may send back', async () => {
    const big = 'x'.repeat(8 * 1024);
    const small = await x(['run', '--on', 'local', '--json', '--max-message-size', '4K', `${tasks}#echo`, JSON.stringify(big)]);
    expect(small.code).toBe(1);
    expect(jsonLines(small.stdout)[0]).toMatchObject({ ok: false, error: { message: expect.stringContaining('maxMessageSize (4096 bytes)') } });
    const ample = await x(['run', '--on', 'local', '--json', '--max-message-size', '1M', `${tasks}#echo`, JSON.stringify(big)]);
    expect(ample.code).toBe(0);
    expect(jsonLines(ample.stdout)[0]).toMatchObject({ ok: true, result: [big] });
  });
});
