// The x command, whole commands timed from start to exit: `x run` of a trivial function on 16 local
// contexts against `x exec` of `node -e` computing the same on the same 16, and the peak RSS of each.
// The ssh cases of issue 17 (x exec on 16 ssh targets against parallel-ssh and a bash loop of ssh)
// need @x/remote part 2 and are skipped, with a message, until router.ssh exists.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareBatches } from '@x/bench';
import { Router } from '@x/remote';

const xBin = fileURLToPath(new URL('../bin/x.js', import.meta.url));
const trivial = fileURLToPath(new URL('./trivial.ts', import.meta.url));
const targets = 'local*16';
const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Peak resident set of each side's runs, in KiB (the largest process of the run: x or one of its contexts). */
const peaks: Record<string, number[]> = { run: [], exec: [] };

/** Runs `x args...` to its end and gives its wall time in milliseconds; fails on a status other than 0. */
function wallMs(side: 'run' | 'exec', args: string[]): Promise<number> {
  const [file, argv] = timeBin ? [timeBin, ['-f', 'peak-rss-kib %M', process.execPath, xBin, ...args]] : [process.execPath, [xBin, ...args]];
  const started = performance.now();
  const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      const peak = /peak-rss-kib (\d+)/.exec(stderr);
      if (peak) peaks[side]!.push(Number(peak[1]));
      if (code !== 0) reject(new Error(`x ${args.join(' ')} exited with ${code}: ${stderr}`));
      else resolve(elapsed);
    }),
  );
}

await compareBatches({
  name: `x run --on ${targets} of a trivial function (whole command, wall time)`,
  ours: { run: () => wallMs('run', ['run', '--on', targets, '--json', `${trivial}#answer`]) },
  peers: [{ name: 'x exec of node -e', run: () => wallMs('exec', ['exec', '--on', targets, '--json', '--', process.execPath, '-e', 'console.log(42)']) }],
  rounds: 5,
  warmup: 1,
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
if (timeBin) console.log(`peak RSS (largest process of a run, median): x run ${median(peaks['run']!)} KiB, x exec of node -e ${median(peaks['exec']!)} KiB`);
else console.log('peak RSS: skipped (no /usr/bin/time here)');

if (typeof (Router.prototype as unknown as Record<string, unknown>)['ssh'] !== 'function') {
  console.log('skipped: x exec on 16 ssh targets against parallel-ssh and a bash loop of ssh: ssh targets need @x/remote part 2 (router.ssh), not built yet');
}
