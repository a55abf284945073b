// Editing a text file in place (line, block): read without following a symlink, change the text, write
// it back atomically with the file's own mode and owner.
import { NoSuchFileError, UnsafePathError } from '../errors.js';
import type { Diff, Mode, ResourceResult } from '../run.js';
import { writeAtomic } from './atomic-write.js';
import { described, kindOf, lstatOf, readRegular } from './paths.js';

/** The new text for `text` (`undefined` when the file is missing), or `text` itself when nothing changes. */
export type Edit = (text: string | undefined) => { text: string | undefined; actions: string[] };

/** Text for a diff: a file that is not there shows as empty. */
export function diffOf(path: string, before: string | undefined, after: string | undefined): Diff {
  return { path, before: before ?? '', after: after ?? '' };
}

/**
 * Applies `edit` to the text of `path`. A missing file is created (0o666 less the umask) when `create`
 * is true and the edit gives text; a symlink or anything but a regular file there is refused.
 * @throws ERR_X_OPS_UNSAFE_PATH, ERR_X_OPS_NO_SUCH_FILE
 */
export async function editText(path: string, create: boolean, mode: Mode, edit: Edit): Promise<ResourceResult> {
  const stat = await lstatOf(path);
  if (stat !== undefined && kindOf(stat) !== 'file') throw new UnsafePathError(path, `it is ${described(stat)}, and this resource edits a regular file in place (manage the symlink's target instead)`);
  const before = stat === undefined ? undefined : (await readRegular(path)).toString('utf8');
  const { text: after, actions } = edit(before);
  if (after === before) return { changed: false, actions: [] };
  if (stat === undefined && !create) throw new NoSuchFileError(path);
  if (!mode.check) {
    const meta = stat === undefined ? { mode: 0o666 & ~process.umask() } : { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
    await writeAtomic(path, after ?? '', meta);
  }
  const result: ResourceResult = { changed: true, actions: stat === undefined ? ['created', ...actions] : actions };
  if (mode.diff) result.diff = diffOf(path, before, after);
  return result;
}

/** Splits text into lines, remembering whether it ended with a newline. */
export function linesOf(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** Joins lines back, always with a final newline. */
export function textOf(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
