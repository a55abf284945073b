import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  fatalSignals,
  Interruption,
  signalCode,
  signalCodes,
  signalIdentifiers,
  signalName,
  signalNames,
} from '@x/signals';

const { signals } = constants;

describe('signalCodes', () => {
  it('maps every categorized name of the seed to its number on Linux', () => {
    expect(signalCodes).toEqual({
      'process/suspend': signals.SIGTSTP,
      'process/resume': signals.SIGCONT,
      'process/stop': signals.SIGSTOP,
      'process/continue': signals.SIGCONT,
      'process/terminate': signals.SIGTERM,
      'process/quit': signals.SIGQUIT,
      'process/interrupt': signals.SIGINT,
      'process/kill': signals.SIGKILL,
      'limit/cpu': signals.SIGXCPU,
      'limit/file': signals.SIGXFSZ,
      'limit/time': signals.SIGVTALRM,
      'terminal/stop': signals.SIGTSTP,
      'terminal/query': signals.SIGUSR1,
      'terminal/delta': signals.SIGWINCH,
      'terminal/closed': signals.SIGHUP,
      'terminal/background-read': signals.SIGTTIN,
      'terminal/background-write': signals.SIGTTOU,
      'user/1': signals.SIGUSR1,
      'user/2': signals.SIGUSR2,
      'exception/floating-point': signals.SIGFPE,
      'exception/broken-pipe': signals.SIGPIPE,
      'error/invalid-memory-access': signals.SIGBUS,
      'error/restricted-memory-access': signals.SIGSEGV,
      'error/invalid-instruction': signals.SIGILL,
      'error/invalid-system-call': signals.SIGSYS,
    });
  });

  it('is frozen', () => {
    expect(Object.isFrozen(signalCodes)).toBe(true);
  });
});

describe('signalNames', () => {
  it('gives each number with two names the later name of the seed table', () => {
    expect(signalNames.get(signals.SIGTSTP)).toBe('terminal/stop');
    expect(signalNames.get(signals.SIGCONT)).toBe('process/continue');
    expect(signalNames.get(signals.SIGUSR1)).toBe('user/1');
  });

  it('inverts signalCodes for every number with one name', () => {
    expect(signalNames.get(signals.SIGTERM)).toBe('process/terminate');
    expect(signalNames.get(signals.SIGPIPE)).toBe('exception/broken-pipe');
    expect(signalNames.size).toBe(new Set(Object.values(signalCodes)).size);
  });
});

describe('signalIdentifiers', () => {
  it('names every signal Node knows, preferring the first identifier Node lists', () => {
    expect(signalIdentifiers.get(15)).toBe('SIGTERM');
    expect(signalIdentifiers.get(signals.SIGABRT)).toBe('SIGABRT');
    expect(signalIdentifiers.get(signals.SIGIO)).toBe('SIGIO');
    for (const code of Object.values(signals)) expect(signalIdentifiers.has(code)).toBe(true);
  });
});

describe('fatalSignals', () => {
  it('holds the seed set', () => {
    const expected = ['SIGINT', 'SIGTERM', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGUSR1', 'SIGUSR2'];
    expect([...fatalSignals].sort()).toEqual(expected.map((s) => signals[s as NodeJS.Signals]).sort());
  });
});

describe('signalCode()', () => {
  it('accepts categorized names and identifiers', () => {
    expect(signalCode('process/terminate')).toBe(15);
    expect(signalCode('SIGHUP')).toBe(1);
  });

  it.each(['process/nothing', 'SIGNOPE', 'toString', '', 15])('throws ERR_X_INVALID_ARG for %j', (name) => {
    expect(() => signalCode(name as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG', argument: 'name' }));
  });
});

describe('signalName()', () => {
  it('names a number', () => {
    expect(signalName(2)).toBe('process/interrupt');
  });

  it.each([0, 99, -1, signals.SIGCHLD, Number.NaN])('throws ERR_X_INVALID_ARG for %d', (code) => {
    expect(() => signalName(code)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});

describe('Interruption', () => {
  it('carries the signal given in any form', () => {
    for (const form of ['SIGINT', 2, 'process/interrupt'] as const) {
      const interruption = new Interruption(form);
      expect(interruption).toMatchObject({ signal: 'SIGINT', signalNumber: 2, code: 'ERR_X_INTERRUPTED' });
      expect(interruption).toBeInstanceOf(Error);
    }
  });

  it('rejects an unknown signal', () => {
    expect(() => new Interruption('SIGNOPE' as never)).toThrow(expect.objectContaining({ code: 'ERR_X_INVALID_ARG' }));
  });
});
