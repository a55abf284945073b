import { InvalidArgumentError } from '../errors.js';
import { perform, type ResourceResult } from '../run.js';
import { absolutePath, oneOf, optionalBoolean, optionsOf } from '../support/args.js';
import { editText, linesOf, textOf } from '../support/edit.js';

/** What `block` ensures of a file. */
export interface BlockOptions {
  /** The block's lines (a final newline is dropped). */
  content: string;
  /** The marker lines' template: `{mark}` becomes BEGIN and END. Default `'# {mark} MANAGED BY x'`. */
  marker?: string;
  /** Default `'present'`. */
  state?: 'present' | 'absent';
  /** Create the file when it is missing (default false: a missing file is ERR_X_OPS_NO_SUCH_FILE). */
  create?: boolean;
}

/**
 * A block of lines between two marker lines, present in (or absent from) a text file: the block is
 * replaced in place when it differs, appended when missing. Edited atomically, keeping the file's mode
 * and owner; a symlink at `path` is refused.
 *
 * @example
 * import { block } from '@x/ops';
 * await block('/etc/ssh/sshd_config', { content: 'PasswordAuthentication no\nPermitRootLogin no' });
 * @throws ERR_X_INVALID_ARG, ERR_X_OPS_NO_SUCH_FILE, ERR_X_OPS_UNSAFE_PATH
 */
export function block(path: string, options: BlockOptions): Promise<ResourceResult> {
  return perform('block', String(path), async (mode) => {
    absolutePath('path', path);
    const o = optionsOf(options);
    if (typeof o.content !== 'string' || o.content.includes('\0')) throw new InvalidArgumentError('options.content', 'a string', o.content);
    const marker = o.marker ?? '# {mark} MANAGED BY x';
    if (typeof marker !== 'string' || !marker.includes('{mark}') || marker.includes('\n')) throw new InvalidArgumentError('options.marker', "one line containing '{mark}'", marker);
    const state = oneOf('options.state', o.state, ['present', 'absent'], 'present');
    const create = optionalBoolean('options.create', o.create) === true;
    const begin = marker.replace('{mark}', 'BEGIN');
    const end = marker.replace('{mark}', 'END');
    const wanted = [begin, ...linesOf(o.content), end];
    return editText(path, create && state === 'present', mode, (text) => {
      const lines = linesOf(text);
      const from = lines.indexOf(begin);
      const to = from < 0 ? -1 : lines.indexOf(end, from + 1);
      if (state === 'absent') {
        if (to < 0) return { text, actions: [] };
        return { text: textOf([...lines.slice(0, from), ...lines.slice(to + 1)]), actions: ['removed'] };
      }
      if (to < 0) return { text: textOf([...lines, ...wanted]), actions: ['added'] };
      const current = lines.slice(from, to + 1);
      if (current.length === wanted.length && current.every((l, i) => l === wanted[i])) return { text, actions: [] };
      return { text: textOf([...lines.slice(0, from), ...wanted, ...lines.slice(to + 1)]), actions: ['replaced'] };
    });
  });
}
