import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';

useLeakCheck();

const require = createRequire(import.meta.url);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const { loadBinding, REBUILD_COMMAND, INSTALLED_REBUILD_COMMAND } = require('@x/native/loader') as typeof import('../loader.cjs');

describe('loadBinding()', () => {
  it('loads the built addon', () => {
    const binding = loadBinding(packageDir) as Record<string, unknown>;
    expect(typeof binding.setDisposition).toBe('function');
  });

  it('throws ERR_X_NATIVE_MISSING naming the fixing command for a directory with no build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-native-unbuilt-'));
    try {
      cpSync(join(packageDir, 'package.json'), join(dir, 'package.json'));
      let error: (Error & { code?: string; command?: string }) | undefined;
      try {
        loadBinding(dir);
      } catch (caught) {
        error = caught as typeof error;
      }
      expect(error).toMatchObject({ code: 'ERR_X_NATIVE_MISSING', command: REBUILD_COMMAND });
      expect(error!.message).toContain(`Run \`${REBUILD_COMMAND}\``);
      expect(error!.message).toContain(join(dir, 'build', 'Release'));
      expect(error!.cause).toBeInstanceOf(Error);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names `npm rebuild @x/native` for an installed copy (under node_modules) with no binary that fits', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x-native-installed-'));
    const installed = join(dir, 'node_modules', '@x', 'native');
    try {
      mkdirSync(installed, { recursive: true });
      cpSync(join(packageDir, 'package.json'), join(installed, 'package.json'));
      expect(() => loadBinding(installed)).toThrow(
        expect.objectContaining({ code: 'ERR_X_NATIVE_MISSING', command: INSTALLED_REBUILD_COMMAND }),
      );
      expect(INSTALLED_REBUILD_COMMAND).toBe('npm rebuild @x/native');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
