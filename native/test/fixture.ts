// Runs the tiny programs in test/fixtures/ with this Node, synchronously.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

export function runFixture(name: string, args: string[] = [], options: SpawnSyncOptions = {}) {
  const result = spawnSync(process.execPath, [fixture(name), ...args], { encoding: 'utf8', timeout: 20_000, ...options });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}
