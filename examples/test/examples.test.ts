// Every runnable example (the README's main job, `pnpm example`) runs to completion and prints what its
// package's README says it prints. Each runs in its own process, as `pnpm example <name>` runs it.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';

useLeakCheck();

const dir = fileURLToPath(new URL('..', import.meta.url));

/** What each example must print, in order (lines with pids, ports or scheduling-dependent counts as patterns). */
const expected: Record<string, (string | RegExp)[]> = {
  'coro-echo-server': ['echoed: hello, coroutines', 'silent client heard: idle for 200 ms, bye'],
  'coro-fan-out': ['db-1: 42 rows; db-2: 42 rows; db-3: 42 rows', 'job 0: db-1: 42 rows', 'job 1: failed (db-2 is down)', 'gave up after 50 ms'],
  'kernel-io-copy-range': ['copied 4194301 bytes of the range: identical', 'patched: starts with HELLO, still 4194301 bytes'],
  'kernel-io-echo-server': [
    /^listening on 127\.0\.0\.1:\d+$/,
    /^server: echoed 33554432 bytes, obstructed \d+ times by the slow reader$/,
    'client: the echo of 33554432 bytes is identical',
  ],
  'kernel-io-pass-socket': [/^client read: child \d+ \(got the socket as "a client"\) answers: HELLO$/],
  'latch-worker-pool': ['40 jobs done, 165605 primes counted in all', /^jobs per worker: \{ '[0-3]': \d+(, '[0-3]': \d+)* \}$/ /* on a busy machine a worker may get none */],
  'process-concurrently': [
    /^primes below a million: 78498, the largest 999983, computed by pid \d+ \(we are \d+\)$/,
    'rethrown: RangeError ERR_TOO_LARGE: 1000000000000 is too large for this example',
    /^ {2}the child's stack starts: at refuse \(file:.*process-concurrently\.js:\d+:\d+\)$/,
    /^ChildDiedError: concurrently\(crash\) \(pid \d+\) was killed by SIGKILL before it returned a result\.$/,
  ],
  'process-daemon': [
    /^daemon (\d+): ready as \1$/,
    /^daemon \d+ ended \(not our child: no status\)$/,
    /^daemon (\d+): ready as \1$/,
    /^daemon \d+ ended \(not our child: no status\)$/,
    'started 2 times, stopped',
  ],
  'process-pty': [/^"on a terminal: \/dev\/pts\/\d+\\r\\n30 100\\r\\nlast line, no newline"$/],
  signals: [
    'child: serving',
    'child: SIGHUP, reloading configuration',
    'child: cleaned up because of {"signal":"SIGTERM"}',
    'parent: the child ended with code null, signal SIGTERM',
  ],
};

const examples = readdirSync(dir)
  .filter((file) => file.endsWith('.js') && file !== 'run.js')
  .map((file) => file.slice(0, -3))
  .sort();

function run(name: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [`${dir}${name}.js`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('examples', () => {
  it('has an expected output for every example (add one here with each new example)', () => {
    expect(examples).toEqual(Object.keys(expected).sort());
  });

  it.each(examples)('%s runs to completion and prints what its README says', async (name) => {
    const outcome = await run(name);
    expect({ code: outcome.code, signal: outcome.signal, stderr: outcome.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    const lines = outcome.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(expected[name]!.length);
    expected[name]!.forEach((line, k) => (typeof line === 'string' ? expect(lines[k]).toBe(line) : expect(lines[k]).toMatch(line)));
  });
});
