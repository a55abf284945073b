import { performance } from 'node:perf_hooks';
import type { Command } from '../command.js';
import { formatDuration } from '../display.js';
import { UsageError } from '../errors.js';

const usage = 'x ping --on TARGETS [OPTIONS]';

const pingTask = new URL('./ping-task.js', import.meta.url);

/** Warm calls timed for the round trip; the median is shown. */
const rounds = 5;

/** What `x ping` gives per target. */
export interface PingResult {
  node: string;
  platform: string;
  arch: string;
  hostname: string;
  pid: number;
  /** Starting the target's chain of contexts, in milliseconds. */
  connectMs: number;
  /** The first call, which also ships the module, in milliseconds. */
  firstCallMs: number;
  /** The median round trip of a call once the code is there, in milliseconds. */
  roundTripMs: number;
}

/** `x ping`: connect to every target and show its Node, platform, connect time and call round trip. */
export const ping: Command = {
  name: 'ping',
  summary: 'connect to every target and show its Node version, platform, connect time and call round trip',
  usage,
  restAfterFirst: false,
  help: `Starts a context on every target and shows the Node version and platform there, how long the
connection took, the first call (which ships a small module) and the median round trip of ${rounds}
calls after it. A target that cannot be reached fails; the others go on.

Examples:
  x ping --on local*4
  x ping --on @all --parallel 100 --timeout 5000
  x ping --on 'ssh://web1,ssh://web1/sudo:root' --json`,

  async prepare(positionals) {
    if (positionals.length) throw new UsageError(`ping takes no arguments, got '${positionals.join(' ')}'.`, usage);
    return {
      async work(context, _target, session) {
        const call = context.withOptions({ signal: session.signal });
        let started = performance.now();
        const info = (await call.call(pingTask, 'info')) as Omit<PingResult, 'connectMs' | 'firstCallMs' | 'roundTripMs'>;
        const firstCallMs = performance.now() - started;
        const times: number[] = [];
        for (let round = 0; round < rounds; round++) {
          started = performance.now();
          await call.call(pingTask, 'echo', round);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const result: PingResult = { ...info, connectMs: round3(session.connectMs), firstCallMs: round3(firstCallMs), roundTripMs: round3(times[rounds >> 1]!) };
        return result;
      },
      report(display, outcome) {
        display.lines(display.stdout, outcome.target.name, describe(outcome.result as PingResult));
      },
      describe: (outcome) => describe(outcome.result as PingResult),
    };
  },
};

function describe(result: PingResult): string {
  const roundTrip = result.roundTripMs < 1 ? `${result.roundTripMs.toFixed(3)} ms` : formatDuration(result.roundTripMs);
  return `node ${result.node} ${result.platform}/${result.arch} on ${result.hostname}, connect ${formatDuration(result.connectMs)}, first call ${formatDuration(result.firstCallMs)}, round trip ${roundTrip}`;
}

function round3(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
