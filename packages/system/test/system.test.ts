import { describe, expect, it } from 'vitest';
import * as signals from '@x/signals';
import { signals as viaSystem } from '@x/system';

describe('@x/system', () => {
  it('re-exports @x/signals as the `signals` namespace', () => {
    expect(viaSystem.onExit).toBe(signals.onExit);
    expect(viaSystem.signalCode('process/terminate')).toBe(15);
  });
});
