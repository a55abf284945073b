// Builds the context-side core (src/core/main.ts and what it imports) into one minified script, raw-deflated,
// as the first stage expects it. Run by `pnpm build` (writes dist/core.deflate and prints the sizes) and
// imported by src/connect/core-source.ts when the package runs from source.
import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { buildSync } from 'esbuild';

const root = new URL('..', import.meta.url);

export async function buildCore({ write }) {
  // buildSync: the async API leaves esbuild's service process running, which tests would count as a leak.
  const result = buildSync({
    entryPoints: [fileURLToPath(new URL('src/core/main.ts', root))],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'node',
    target: 'node20',
    minify: true,
    // Class names survive minification: a remote error's class name is what the caller sees.
    keepNames: true,
    legalComments: 'none',
    logLevel: 'error',
    // The core runs from a string: there is no file URL; @x/signals only needs one for @x/native, which stays out.
    define: { 'import.meta.url': '"file:///x-remote-core.js"' },
    external: ['@x/native'],
  });
  const code = result.outputFiles[0].contents;
  const compressed = deflateRawSync(code, { level: 9 });
  if (write) {
    mkdirSync(new URL('dist/', root), { recursive: true });
    writeFileSync(new URL('dist/core.deflate', root), compressed);
    console.log(`@x/remote core: ${code.length} bytes minified, ${compressed.length} bytes compressed`);
  }
  return compressed;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // --stdout: print the compressed core instead of writing dist (src/connect/core-source.ts runs it that way).
  if (process.argv[2] === '--stdout') process.stdout.write(await buildCore({ write: false }));
  else await buildCore({ write: true });
}
