import { defineConfig } from 'tsup';
import options from '@x/tsconfig/tsup';

// via-child.js is shipped on demand to contexts that start children over ssh/sudo/su (`via`), so it
// must exist as a file of its own next to index.js; file-endpoint.js likewise, for a context's first file transfer.
// Named entries keep them at the top of dist/, where the code that locates them (bundled there too) looks.
export default defineConfig({
  ...options,
  entry: { index: 'src/index.ts', 'via-child': 'src/connect/via-child.ts', 'file-endpoint': 'src/files/file-endpoint.ts' },
  // hash-wasm (files/digest.ts) is built in, from its ES module build so that only xxh3-128 stays: a
  // bare import in file-endpoint.js would make the root bundle it for each context's first transfer.
  noExternal: ['hash-wasm'],
  esbuildOptions(options) {
    options.mainFields = ['module', 'main'];
  },
});
