// Splitting a line into words as a POSIX shell (and Python's shlex, which Ansible uses) does: for
// INI inventory lines and for ansible_ssh_common_args / ansible_ssh_extra_args.

/** A line that cannot be split: an unclosed quote or a trailing backslash. */
export class ShellWordsError extends Error {
  readonly code = 'ERR_X_SHELL_WORDS';
}
Object.defineProperty(ShellWordsError.prototype, 'name', { value: 'ShellWordsError' });

/**
 * Splits `text` at unquoted whitespace. Single quotes keep everything; double quotes keep everything
 * but `\"` and `\\`; a backslash outside quotes keeps the next character.
 *
 * @example
 * shellWords(`-o ProxyJump=bastion -o "ServerAliveInterval 5"`); // ['-o', 'ProxyJump=bastion', '-o', 'ServerAliveInterval 5']
 * @param options.comments when true, an unquoted `#` ends the line (as in Python's `shlex.split(line, comments=True)`).
 * @throws ShellWordsError (`ERR_X_SHELL_WORDS`) for an unclosed quote or a trailing backslash.
 */
export function shellWords(text: string, options: { comments?: boolean } = {}): string[] {
  const words: string[] = [];
  let word = '';
  // A word exists once anything (even '') was quoted or written: `''` is one empty word.
  let inWord = false;
  for (let k = 0; k < text.length; k++) {
    const char = text[k]!;
    if (char === "'") {
      const end = text.indexOf("'", k + 1);
      if (end === -1) throw new ShellWordsError(`no closing quotation (') in: ${text}`);
      word += text.slice(k + 1, end);
      inWord = true;
      k = end;
    } else if (char === '"') {
      k++;
      while (k < text.length && text[k] !== '"') {
        if (text[k] === '\\' && (text[k + 1] === '"' || text[k + 1] === '\\')) k++;
        word += text[k];
        k++;
      }
      if (k >= text.length) throw new ShellWordsError(`no closing quotation (") in: ${text}`);
      inWord = true;
    } else if (char === '\\') {
      if (k + 1 >= text.length) throw new ShellWordsError(`no escaped character after the last backslash in: ${text}`);
      word += text[++k];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (char === '#' && options.comments) {
      break;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Quotes `words` so that {@link shellWords} gives them back. */
export function shellJoin(words: string[]): string {
  return words.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`)).join(' ');
}
