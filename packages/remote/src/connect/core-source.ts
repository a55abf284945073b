import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let core: Promise<Buffer> | undefined;

/**
 * The compressed core that the first stage runs. A built package reads the prebuilt file
 * (dist/core.deflate, made by scripts/build-core.mjs during `pnpm build`). Run from source (tests
 * under vitest), it is built from src/core on first use instead, so tests always run the current source;
 * the build runs in a child process that ends with it, so no esbuild service outlives it.
 */
export function coreSource(): Promise<Buffer> {
  core ??= load();
  return core;
}

async function load(): Promise<Buffer> {
  // From source this is src/connect/core-source.ts; built, it is bundled into a file at the top of dist/.
  if (import.meta.url.endsWith('.ts')) {
    const script = fileURLToPath(new URL('../../scripts/build-core.mjs', import.meta.url));
    const built = spawnSync(process.execPath, [script, '--stdout'], { maxBuffer: 1 << 24 });
    if (built.status !== 0) throw new Error(`Could not build the @x/remote core from source: ${built.stderr.toString()}`);
    return built.stdout;
  }
  return readFile(new URL('core.deflate', import.meta.url));
}
