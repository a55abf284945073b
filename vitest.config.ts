import { defineConfig } from 'vitest/config';

const privileged = ['**/*.root.test.ts', '**/*.sshd.test.ts'];

export default defineConfig({
  test: {
    // Tests send signals, spawn processes and open ptys: a worker thread that did
    // process.kill(process.pid) would take the runner down with it.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts', 'native/test/**/*.test.ts', 'tooling/*/test/**/*.test.ts', 'examples/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', ...privileged],
        },
      },
      {
        extends: true,
        test: {
          name: 'privileged',
          include: privileged.map((glob) => `{packages/*,native,tooling/*}/test/${glob}`),
          fileParallelism: false,
          passWithNoTests: true,
        },
      },
    ],
  },
});
