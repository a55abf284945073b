import { defineConfig } from 'tsup';
import options from '@x/tsconfig/tsup';

// via-child.js is shipped on demand to contexts that start children over ssh/sudo/su (`via`), so it
// must exist as a file of its own next to index.js; file-endpoint.js likewise, for a context's first file transfer.
export default defineConfig({ ...options, entry: ['src/index.ts', 'src/via-child.ts', 'src/file-endpoint.ts'] });
