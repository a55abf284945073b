// The caller's plain JavaScript (.js, .mjs) travels as it was written: the only work on it is this syntax check.
// Where esbuild is loaded already (the graph has TypeScript, or the program required it) esbuild's service
// parses it, in Go and off this thread: about 1 ms for @x/ops's 43 KB, where acorn's first parse is about
// 50 ms of this thread's CPU while the contexts it serves are connecting. Otherwise acorn (about 10 ms
// to load) checks it, so a program that ships only JavaScript never loads or starts esbuild; acorn itself is
// loaded on the first check that needs it.
import { createRequire } from 'node:module';
import { loadedEsbuild } from './module-bundle.js';
import { ModuleError } from './module-error.js';
import { syntaxError } from './module-files.js';

let acorn: typeof import('acorn') | undefined;

/**
 * Throws a ModuleError (`ERR_X_REMOTE_MODULE_SYNTAX`) naming the file, line and column where `text` does not parse
 * as an ES module; the parser's own message stays in `cause`, which never leaves this process (as `syntaxError()`).
 */
export async function checkModuleSyntax(text: string, file: string): Promise<void> {
  const esbuild = loadedEsbuild();
  if (esbuild !== undefined) {
    try {
      await (await esbuild).transform(text, { loader: 'js', format: 'esm', target: 'esnext', logLevel: 'silent', sourcefile: file });
    } catch (error) {
      throw syntaxError(error, file);
    }
    return;
  }
  acorn ??= createRequire(import.meta.url)('acorn') as typeof import('acorn');
  try {
    acorn.parse(text, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch (error) {
    const at = (error as { loc?: { line: number; column: number } }).loc;
    const where = at === undefined ? {} : { line: at.line, column: at.column + 1 };
    const place = at === undefined ? '' : `:${where.line}:${where.column}`;
    throw new ModuleError('ERR_X_REMOTE_MODULE_SYNTAX', `${file}${place}: syntax error (the parser's message is this error's cause)`, { file, ...where, cause: error });
  }
}
