import type { Command } from '../command.js';
import { UsageError } from '../errors.js';

const usage = 'x copy --on TARGETS [OPTIONS] SRC DEST';

/** Thrown by `x copy` until @x/remote's file transfer (part 3) exists. */
export class CopyUnavailableError extends UsageError {
  override readonly code = 'ERR_X_COPY_UNAVAILABLE';
}
Object.defineProperty(CopyUnavailableError.prototype, 'name', { value: 'CopyUnavailableError' });

/**
 * `x copy`: push a file or a directory to every target. It needs @x/remote part 3 (file transfer),
 * which is not built yet; until then it checks its input, says so and exits with status 2 without
 * contacting any target (status 1 would claim that targets failed).
 */
export const copy: Command = {
  name: 'copy',
  summary: 'push a file or a directory to every target (needs @x/remote part 3: not available yet)',
  usage,
  restAfterFirst: false,
  help: `Pushes SRC (a file or a directory on this machine) to DEST on every target.

Not available yet: file transfer is @x/remote part 3, which is not built. Until it is, x copy checks
its arguments, says so, and exits with status 2 without contacting any target. Meanwhile, copy with
x exec and the tools on the targets, for example:
  x exec --on @web -- curl -fsSo /tmp/app.tgz https://artifacts.example/app.tgz

Examples (once part 3 is there):
  x copy --on @web ./dist /srv/app
  x copy --on local*2 ./config.json /tmp/config.json`,

  async prepare(positionals) {
    if (positionals.length !== 2) throw new UsageError(`copy takes SRC and DEST, got ${positionals.length} argument${positionals.length === 1 ? '' : 's'}.`, usage);
    throw new CopyUnavailableError(
      'copy needs @x/remote part 3 (file transfer: pushFile), which is not built yet; no target was contacted. Until then, copy with x exec and the tools on the targets (see x copy --help).',
      usage,
    );
  },
};
