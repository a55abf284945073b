import { InvalidArgumentError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { absolutePath, oneOf, optionalBoolean, optionsOf } from '../support/args.js';
import { editText, linesOf, textOf } from '../support/edit.js';

/** What `line` ensures of a file. */
export interface LineOptions {
  /** The whole line, without its newline. */
  line: string;
  /** The line to replace (present: the last match) or to remove (absent: every match). Default: lines equal to `line`. */
  match?: RegExp;
  /** Default `'present'`. */
  state?: 'present' | 'absent';
  /** Create the file when it is missing (default false: a missing file is ERR_X_OPS_NO_SUCH_FILE). */
  create?: boolean;
}

/** Lines present: replace the last match, else keep an equal line, else append. */
function present(lines: string[], line: string, test: (l: string) => boolean): { lines: string[]; actions: string[] } {
  const at = lines.findLastIndex(test);
  if (at >= 0 && lines[at] === line) return { lines, actions: [] };
  if (at >= 0) return { lines: [...lines.slice(0, at), line, ...lines.slice(at + 1)], actions: ['replaced'] };
  if (lines.includes(line)) return { lines, actions: [] };
  return { lines: [...lines, line], actions: ['added'] };
}

/**
 * A line present in (or absent from) a text file, the rest of the file untouched. Edited atomically,
 * keeping the file's mode and owner; a symlink at `path` is refused (name its target).
 *
 * @example
 * import { line } from '@x/ops';
 * await line('/etc/hosts', { line: '10.0.0.5 db', match: /\sdb$/ });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SUCH_FILE, ERR_X_OPS_UNSAFE_PATH
 */
export function line(path: string, options: LineOptions): Promise<ResourceResult> {
  return perform('line', String(path), async (mode) => {
    absolutePath('path', path);
    const o = optionsOf(options);
    if (typeof o.line !== 'string' || /[\n\0]/.test(o.line)) throw new InvalidArgumentError('options.line', 'a string without a newline', o.line);
    const wanted = o.line;
    if (o.match !== undefined && !(o.match instanceof RegExp)) throw new InvalidArgumentError('options.match', 'a RegExp', o.match);
    // A copy without g and y: their lastIndex would make test() answer differently line by line.
    const match = o.match === undefined ? undefined : new RegExp(o.match.source, o.match.flags.replace(/[gy]/g, ''));
    const state = oneOf('options.state', o.state, ['present', 'absent'], 'present');
    const create = optionalBoolean('options.create', o.create) === true;
    const test = (l: string): boolean => (match === undefined ? l === wanted : match.test(l));
    return editText(path, create && state === 'present', mode, (text) => {
      const lines = linesOf(text);
      if (state === 'absent') {
        const kept = lines.filter((l) => !test(l));
        return kept.length === lines.length ? { text, actions: [] } : { text: textOf(kept), actions: [`removed ${lines.length - kept.length}`] };
      }
      const next = present(lines, wanted, test);
      return next.actions.length === 0 ? { text, actions: [] } : { text: textOf(next.lines), actions: next.actions };
    });
  });
}
