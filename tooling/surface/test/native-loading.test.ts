import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useLeakCheck } from '@x/test-env';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../src/index.js';

useLeakCheck();

// One rule for loading @x/native, in every package's own loader: a *missing* addon falls back where the
// package's README says it works without it (@x/signals, @x/coro) and is ERR_X_NATIVE_MISSING elsewhere;
// a *broken* one (a binary that is there but cannot be loaded) is an error everywhere, never taken for a
// missing one. Each case installs the built packages and the real @x/native loader into a scratch
// node_modules, with no binary or with a corrupt one, and runs a small program there.

const packages = ['signals', 'coro', 'scheduler', 'kernel-io', 'process'];

// What each program does first that needs the addon; it prints 'works' if that succeeded.
const programs: Record<string, string> = {
  signals: "const { onSignal } = await import('@x/signals'); onSignal('SIGUSR2', () => {})();",
  coro: "const { toPromise, sleep } = await import('@x/coro'); await toPromise(sleep(1));",
  'coro-wait': "const { toPromise, waitFor } = await import('@x/coro'); await toPromise(waitFor(0, 'r'));",
  'kernel-io': "const { pipe } = await import('@x/kernel-io'); for (const end of pipe()) end.terminate();",
  process: "const { spawn } = await import('@x/process'); await spawn('true', []).exited;",
};

let scratch: string;

function install(binary: 'missing' | 'broken'): string {
  const dir = path.join(scratch, binary);
  if (fs.existsSync(dir)) return dir;
  const modules = path.join(dir, 'node_modules');
  const native = path.join(modules, '@x', 'native');
  fs.mkdirSync(native, { recursive: true });
  // The package's JavaScript (its loader), without a binary.
  for (const file of fs.readdirSync(path.join(root, 'native')).filter((f) => f === 'package.json' || f.endsWith('.cjs'))) {
    fs.copyFileSync(path.join(root, 'native', file), path.join(native, file));
  }
  // The loader's own dependency, as installed for the workspace.
  fs.symlinkSync(fs.realpathSync(path.join(root, 'native', 'node_modules', 'node-gyp-build')), path.join(modules, 'node-gyp-build'));
  if (binary === 'broken') {
    fs.mkdirSync(path.join(native, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(native, 'build', 'Release', 'x_native.node'), 'not an ELF file\n');
  }
  for (const name of packages) {
    // Copies, not links: Node resolves a linked package's imports from its real path, the workspace's.
    const target = path.join(modules, '@x', name);
    fs.mkdirSync(target, { recursive: true });
    fs.copyFileSync(path.join(root, 'packages', name, 'package.json'), path.join(target, 'package.json'));
    fs.cpSync(path.join(root, 'packages', name, 'dist'), path.join(target, 'dist'), { recursive: true });
  }
  return dir;
}

function run(dir: string, name: string): { status: number | null; output: string } {
  const source = `try { ${programs[name]} console.log('works'); } catch (error) { console.log('threw', error.code, error.cause?.code ?? ''); }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', source], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, output: `${child.stdout}${child.stderr}` };
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'x-native-loading-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('loading @x/native', () => {
  it('without a binary: @x/signals and @x/coro work, @x/kernel-io and @x/process throw ERR_X_NATIVE_MISSING', () => {
    const dir = install('missing');
    expect(run(dir, 'signals').output.trim()).toBe('works');
    expect(run(dir, 'coro').output.trim()).toBe('works');
    expect(run(dir, 'kernel-io').output.trim()).toBe('threw ERR_X_NATIVE_MISSING');
    expect(run(dir, 'process').output.trim()).toBe('threw ERR_X_NATIVE_MISSING');
  });

  it("without a binary, @x/coro's waitFor throws NativeUnavailableError with the loader's error as its cause", () => {
    const dir = install('missing');
    expect(run(dir, 'coro-wait').output.trim()).toBe('threw ERR_X_CORO_NATIVE_UNAVAILABLE ERR_X_NATIVE_MISSING');
  });

  it('with a broken binary: every package fails with the load error itself, never as a missing addon', () => {
    const dir = install('broken');
    for (const name of ['signals', 'kernel-io', 'process']) expect(run(dir, name).output.trim(), name).toBe('threw ERR_DLOPEN_FAILED');
    // @x/coro meets the addon in the run queue's first drain, outside the caller's try: an uncaught error.
    const coro = run(dir, 'coro');
    expect(coro.status).not.toBe(0);
    expect(coro.output).toContain('ERR_DLOPEN_FAILED');
    expect(coro.output).not.toContain('ERR_X_NATIVE_MISSING');
  });
});
