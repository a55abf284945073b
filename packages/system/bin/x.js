#!/usr/bin/env node
// The `x` bin. A committed file rather than dist/x.js itself, so that the package manager can link
// it before the first build (in this repository, `pnpm install` runs before `pnpm build`).
import('../dist/x.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/x.js')) throw error;
  process.stderr.write('x: @x/system is not built yet (no dist/x.js): run `pnpm build` first.\n');
  process.exitCode = 2;
});
