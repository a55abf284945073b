import { defineConfig } from 'tsup';
import options from '@x/tsconfig/tsup';

export default defineConfig({
  ...options,
  // x.ts is the `x` bin; exec-task.ts, ping-task.ts, copy-task.ts and apply-task.ts are modules x ships
  // to its targets by URL, so they must be files of their own next to it.
  entry: ['src/index.ts', 'src/x.ts', 'src/exec-task.ts', 'src/ping-task.ts', 'src/copy-task.ts', 'src/apply-task.ts'],
});
