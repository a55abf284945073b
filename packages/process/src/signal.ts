// Signals in any form @x/signals accepts ('process/terminate', 'SIGTERM', 15), resolved once at the
// boundary so the rest of the package deals in identifiers and numbers.
import { type SignalSpec, signalCodes, signalIdentifiers } from '@x/signals';
import { constants } from 'node:os';
import { InvalidArgumentError } from './errors.js';

export interface Signal {
  identifier: NodeJS.Signals;
  number: number;
}

/** Resolves a signal, or throws `ERR_X_INVALID_ARG` naming `argument`. */
export function resolveSignal(spec: SignalSpec, argument: string): Signal {
  const number =
    typeof spec === 'number'
      ? spec
      : typeof spec === 'string'
        ? ((signalCodes as Record<string, number | undefined>)[spec] ?? (constants.signals as Record<string, number | undefined>)[spec])
        : undefined;
  const identifier = number === undefined ? undefined : signalIdentifiers.get(number);
  if (number === undefined || identifier === undefined) {
    throw new InvalidArgumentError(argument, "a signal: a categorized name ('process/terminate'), an identifier ('SIGTERM') or a number (15)", spec);
  }
  return { identifier, number };
}

/** The identifier of a signal number from waitpid, e.g. 9 -> 'SIGKILL'. */
export function signalIdentifier(number: number | null): NodeJS.Signals | null {
  return number === null ? null : (signalIdentifiers.get(number) ?? null);
}
