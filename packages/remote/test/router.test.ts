import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { quietRouter } from './helpers.js';

useLeakCheck();

describe('Router', () => {
  it('starts a dozen contexts at once without a "possible leak" warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(`${warning.name}: ${warning.message}`);
    };
    process.on('warning', onWarning);
    try {
      await using router = quietRouter();
      const contexts = await Promise.all(Array.from({ length: 12 }, (_, index) => router.local({ name: `many.${index}` })));
      expect(new Set(contexts.map((context) => context.pid)).size).toBe(12);
    } finally {
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      process.off('warning', onWarning);
    }
    expect(warnings.filter((warning) => warning.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  });
});
