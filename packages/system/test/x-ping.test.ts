// `x ping` against local contexts through the real binary.
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { jsonLines, x } from './helpers.js';

useLeakCheck();

describe('x ping', () => {
  it('shows Node version, platform, connect time and call round trip of each target', async () => {
    const result = await x(['ping', '--on', 'local*2']);
    expect(result.code).toBe(0);
    for (const name of ['local-1', 'local-2']) {
      expect(result.stdout).toMatch(new RegExp(`^${name} \\| node ${process.version} ${process.platform}/${process.arch} on .+, connect [\\d.]+ m?s, first call [\\d.]+ m?s, round trip [\\d.]+ m?s$`, 'm'));
    }
  });

  it('--json gives the figures as numbers in milliseconds', async () => {
    const result = await x(['ping', '--on', 'local*2', '--json']);
    expect(result.code).toBe(0);
    for (const object of jsonLines(result.stdout)) {
      expect(object).toMatchObject({ ok: true, result: { node: process.version, platform: process.platform, arch: process.arch } });
      for (const figure of ['connectMs', 'firstCallMs', 'roundTripMs']) expect(object['result'][figure]).toBeGreaterThan(0);
    }
  });
});
