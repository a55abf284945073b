import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SpawnError } from './errors.js';

/**
 * The path to exec for `file`: itself when it holds a slash, else the first executable regular file
 * named `file` in the directories of `PATH` (from the child's environment), as execvp does. A name found
 * nowhere is a SpawnError ENOENT here, before anything is forked.
 */
export function resolveFile(file: string, args: readonly string[], pathVariable: string | undefined): string {
  if (file.includes('/')) return file;
  for (const dir of (pathVariable ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(dir || '.', file);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: the next directory
    }
  }
  const cause = Object.assign(new Error(`ENOENT: no such file or directory, execve '${file}' (searched PATH=${pathVariable ?? ''})`), {
    code: 'ENOENT',
    errno: -2,
    syscall: 'execve',
    path: file,
  });
  throw new SpawnError(file, args, cause);
}
