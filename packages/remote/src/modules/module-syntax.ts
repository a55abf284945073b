// The caller's plain JavaScript (.js, .mjs) travels as it was written: the only work on it is this syntax check,
// made with acorn (about 10 ms of CPU to load) instead of a transform by esbuild (about 50 ms to load, and a
// service process to start), so a program that ships only JavaScript never starts esbuild. acorn itself is
// loaded on the first check, so a program that ships only TypeScript (x run of a .ts module) never loads it.
import { createRequire } from 'node:module';
import { ModuleError } from './module-error.js';

let acorn: typeof import('acorn') | undefined;

/**
 * Throws a ModuleError (`ERR_X_REMOTE_MODULE_SYNTAX`) naming the file, line and column where `text` does not parse
 * as an ES module; the parser's own message stays in `cause`, which never leaves this process (as `syntaxError()`).
 */
export function checkModuleSyntax(text: string, file: string): void {
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
