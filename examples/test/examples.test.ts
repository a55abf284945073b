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
  'coro-echo-server': [
    'client 1 sent "hello, coroutines" and the server echoed back: "hello, coroutines"',
    'client 2 sent nothing: after 200 ms the server timed its connection out, saying "idle for 200 ms, bye"',
  ],
  'coro-fan-out': [
    '3 replicas asked at once; answers in the order asked, not the order they came: db-1: 42 rows; db-2: 42 rows; db-3: 42 rows',
    'db-2 down: the InParallelError holds every job\'s outcome; job 0 answered "db-1: 42 rows"',
    "db-2 down: the InParallelError holds every job's outcome; job 1 failed: db-2 is down",
    'db-2 takes 5 s: withTimeout gave up after 50 ms and shut down the job still running',
  ],
  'kernel-io-copy-range': [
    'copied bytes 1048579 to 5242880 of an 8 MiB file through pipeline(): 4194301 bytes, identical to the range',
    'updateFile wrote 5 bytes in place at offset 0: the copy now starts with HELLO and is still 4194301 bytes long',
  ],
  'kernel-io-echo-server': [
    /^server listening on 127\.0\.0\.1:\d+$/,
    /^server: echoed 33554432 bytes, waiting \d+ times for the slow client to catch up \(its output queue was full\) before reading more$/,
    'client: sent 33554432 random bytes and read the echo slowly: identical to what it sent',
  ],
  'kernel-io-pass-socket': [
    /^parent \d+ accepted a connection and passed its fd to child \d+ with the note "a client"$/,
    /^client: sent "hello" and got "HELLO" back from pid \d+, which received the connection with the note "a client"$/,
  ],
  'latch-worker-pool': [
    '40 prime-counting jobs done by 4 worker threads, every result checked: 165605 primes in all',
    // on a busy machine a worker may get no job at all
    /^each worker takes the next job when it is free: worker [0-3] took \d+(, worker [0-3] took \d+)*$/,
  ],
  'process-concurrently': [
    /^primesBelow\(1000000\) ran in child process \d+ \(this is \d+\): 78498 primes, the largest 999983$/,
    'refuse() threw in the child; rethrown here as RangeError with code ERR_TOO_LARGE: "1000000000000 is too large for this example"',
    /^ {2}the rethrown error keeps the child's stack, which starts: at refuse \(file:.*process-concurrently\.js:\d+:\d+\)$/,
    /^crash\(\) killed its own child process; concurrently\(\) rejected with a ChildDiedError: concurrently\(crash\) \(pid \d+\) was killed by SIGKILL before it returned a result\.$/,
  ],
  'process-daemon': [
    /^started daemon (\d+) in a session of its own; it said on stderr: "ready as \1"$/,
    /^ProcessMonitor: daemon \d+ ended \(no exit status, since it is not our child\); unexpected: restarting it$/,
    /^started daemon (\d+) in a session of its own; it said on stderr: "ready as \1"$/,
    /^ProcessMonitor: daemon \d+ ended \(no exit status, since it is not our child\); we asked it to stop$/,
    'the daemon was started 2 times (once more after the SIGKILL crash), then stopped with SIGTERM',
  ],
  'process-pty': [/^everything the command printed on a 100x30 pty, as a JSON string: "on a terminal: \/dev\/pts\/\d+\\r\\n30 100\\r\\nlast line, no newline"$/],
  'remote-copy': [
    'pushFile to web-1: 6291456 bytes, sha256 matches the source\'s, mode 640 kept',
    'pushFile to web-2: 6291456 bytes, sha256 matches the source\'s, mode 640 kept',
    'pushDirectory: 2 files, 2 directories, 1 symlink, 34 bytes',
    'fetchFile: 6291456 bytes back, identical: true',
    'openWrite then openRead: 14 bytes, read back as "line 1\\nline 2\\n"',
    'FileError ENOTDIR (syscall open) in context web-1 for not-a-dir/release.bin',
    'overwrite: false on an existing file: FileError EEXIST; the file there is untouched: true',
  ],
  'remote-local': [
    /^worker-1 \(pid \d+, not \d+\) counted 22044 primes in \[0, 250000\)$/,
    /^worker-2 \(pid \d+, not \d+\) counted 19494 primes in \[250000, 500000\)$/,
    /^worker-3 \(pid \d+, not \d+\) counted 18700 primes in \[500000, 750000\)$/,
    /^worker-4 \(pid \d+, not \d+\) counted 18260 primes in \[750000, 1000000\)$/,
    '4 contexts, remote-tasks.ts shipped to each with its first call: 78498 primes below 1000000',
    'log [worker-1] console/info: worker-1 counting primes in [0, 250000)',
    'log [worker-2] console/info: worker-2 counting primes in [250000, 500000)',
    'log [worker-2] console/warn: worker-2 found fewer than 20000 primes: they thin out as numbers grow',
    'log [worker-3] console/info: worker-3 counting primes in [500000, 750000)',
    'log [worker-3] console/warn: worker-3 found fewer than 20000 primes: they thin out as numbers grow',
    'log [worker-4] console/info: worker-4 counting primes in [750000, 1000000)',
    'log [worker-4] console/warn: worker-4 found fewer than 20000 primes: they thin out as numbers grow',
  ],
  signals: [
    'child: serving, with a SIGHUP handler and an onExit cleanup installed',
    'child: got SIGHUP (terminal/closed); reloading configuration, still running',
    'child: its onExit cleanup ran, told the reason {"signal":"SIGTERM"}',
    'parent: after its cleanup the child died by SIGTERM (exit code null), so a supervisor sees the signal',
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
