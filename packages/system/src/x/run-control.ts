// The run-control options (--batch, --max-fail-percent, --retries, --verbose): how they parse and
// what `x --help` says of them. The runner does what they ask.
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import { defaultTransientRetries } from './runner.js';

export const runControlOptions = {
  batch: { type: 'string' },
  'max-fail-percent': { type: 'string' },
  retries: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
} satisfies ParseArgsConfig['options'];

export const runControlHelp = `  --batch N|P%       rolling batches of N targets (or P% of them, at least 1), as Ansible's
                     serial: a batch starts once every target of the one before has ended;
                     --parallel still bounds each batch
  --max-fail-percent P
                     once more than P% of a batch's targets failed (or timed out), start no
                     more: the rest are cancelled, saying why (0: after the first failure)
  --retries N        connect a target whose connection failed up to N more times, waiting
                     0.25-0.5 s, then twice that each time; a command or function that
                     failed is never retried, nor a refused password, key or host key.
                     Without it, a transient refusal (sshd's MaxStartups: Connection reset
                     by peer) is retried ${defaultTransientRetries} times
  -v, --verbose      failures in full: the stack (a function's, from the target), own fields
                     and causes; with --json, each error carries its stack`;

type Values = { [K in keyof typeof runControlOptions]?: (typeof runControlOptions)[K]['type'] extends 'boolean' ? boolean : string };

/** What the run-control options ask, checked; `batchSize` gives --batch's count for a number of targets. */
export function parseRunControl(values: Values): { verbose: boolean; maxFailPercent?: number; retries?: number; batchSize?: (total: number) => number } {
  const control: ReturnType<typeof parseRunControl> = { verbose: values.verbose ?? false };
  if (values['max-fail-percent'] !== undefined) control.maxFailPercent = percent('--max-fail-percent', values['max-fail-percent']);
  if (values.retries !== undefined) {
    if (!/^\d+$/.test(values.retries) || Number(values.retries) > 100) throw new UsageError(`--retries takes a whole number from 0 to 100, got '${values.retries}'.`);
    control.retries = Number(values.retries);
  }
  const batch = values.batch;
  if (batch !== undefined) {
    if (batch.endsWith('%')) {
      const share = percent('--batch', batch.slice(0, -1), batch);
      if (share === 0) throw new UsageError(`--batch takes a count (N) or a share of the targets (P%) above 0, got '${batch}'.`);
      // Ansible's serial: the share rounded down, at least one target.
      control.batchSize = (total) => Math.max(1, Math.floor((total * share) / 100));
    } else {
      const count = Number(batch);
      if (!/^\d+$/.test(batch) || !Number.isSafeInteger(count) || count < 1) {
        throw new UsageError(`--batch takes a count (N, at least 1) or a share of the targets (P%), got '${batch}'.`);
      }
      control.batchSize = () => count;
    }
  }
  return control;
}

function percent(option: string, text: string, given = text): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value > 100) throw new UsageError(`${option} takes a percentage from 0 to 100, got '${given}'.`);
  return value;
}
