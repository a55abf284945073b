import { readFile } from 'node:fs/promises';

let core: Promise<Buffer> | undefined;

/**
 * The compressed core that the first stage runs. A built package reads the prebuilt file
 * (dist/core.deflate, made by scripts/build-core.mjs during `pnpm build`). Run from source (tests
 * under vitest), it is built from src/core on first use instead, so tests always run the current source.
 */
export function coreSource(): Promise<Buffer> {
  core ??= load();
  return core;
}

async function load(): Promise<Buffer> {
  const here = new URL('.', import.meta.url);
  if (here.pathname.endsWith('/src/')) {
    const script = new URL('../scripts/build-core.mjs', import.meta.url).href;
    const { buildCore } = (await import(script)) as { buildCore: (options: { write: boolean }) => Promise<Buffer> };
    return buildCore({ write: false });
  }
  return readFile(new URL('core.deflate', here));
}
