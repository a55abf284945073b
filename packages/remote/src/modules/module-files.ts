/** What the parent side of module loading asks of a file: where it is, how Node would read it, what is wrong with it. */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type * as esbuild from 'esbuild';
import { ModuleError } from './module-error.js';

/** A file a cached result was made from, with what it looked like then. */
export interface FileInput {
  file: string;
  mtimeMs: number;
  size: number;
}

export const LITERAL_ADDON_REQUIRE = /\brequire\s*\(\s*(['"`])([^'"`\n]+\.node)\1\s*\)/;
const TS_ALTERNATIVES: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'], '.jsx': ['.tsx'] };
const BARE_EXTENSIONS = ['.ts', '.mts', '.tsx', '.js', '.mjs', '.cjs', '.cts', '.json'];

export function statOf(file: string): Stats {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (stats === undefined) throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `cannot find module ${file}: it was removed while its graph was built`, { file });
  return stats;
}

export function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

export function unchanged(input: FileInput): boolean {
  const stats = statSync(input.file, { throwIfNoEntry: false });
  return stats !== undefined && stats.mtimeMs === input.mtimeMs && stats.size === input.size;
}

/** The file `base` names: itself, its TypeScript source (`./x.js` -> `./x.ts`), or with an extension or index added. */
export function findFile(base: string): string | undefined {
  const stats = statSync(base, { throwIfNoEntry: false });
  if (stats?.isFile()) return base;
  const extension = path.extname(base);
  for (const alternative of TS_ALTERNATIVES[extension] ?? []) {
    const candidate = base.slice(0, -extension.length) + alternative;
    if (isFile(candidate)) return candidate;
  }
  const stems = stats?.isDirectory() ? [path.join(base, 'index')] : [base];
  for (const stem of stems) {
    for (const added of BARE_EXTENSIONS) if (isFile(stem + added)) return stem + added;
  }
  return undefined;
}

export function loaderOf(file: string): esbuild.Loader {
  if (/\.(ts|mts|cts)$/.test(file)) return 'ts';
  if (file.endsWith('.tsx')) return 'tsx';
  if (file.endsWith('.jsx')) return 'jsx';
  return 'js';
}

/** Whether Node would load `file` as CommonJS: `.cjs`/`.cts`, or `.js` outside a `"type": "module"` package. */
export function isCommonJs(file: string): boolean {
  if (/\.c[jt]s$/.test(file)) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    let text: string | undefined;
    try {
      text = readFileSync(path.join(dir, 'package.json'), 'utf8');
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        return (JSON.parse(text) as { type?: unknown }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (path.dirname(dir) === dir) return true;
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A syntax error as the file, line and column only: the parser's text names the offending token and may quote the
 * line, and a file that is not a module at all (an `.env`) would reach whoever reads the message. The parser's own
 * error stays in `cause`, which never leaves this process.
 */
export function syntaxError(error: unknown, file: string): ModuleError {
  const failure = (error as esbuild.TransformFailure).errors?.[0];
  if (failure === undefined) return new ModuleError('ERR_X_REMOTE_MODULE_SYNTAX', `${file}: could not be transformed (the parser's error is this error's cause)`, { file, cause: error });
  const where = failure.location;
  const at = where?.file ? path.resolve(where.file) : file;
  const line = where?.line;
  const column = where === null || where === undefined ? undefined : where.column + 1;
  return new ModuleError(
    'ERR_X_REMOTE_MODULE_SYNTAX',
    `${at}${line === undefined ? '' : `:${line}:${column}`}: syntax error (the parser's message is this error's cause)`,
    { file: at, ...(line === undefined ? {} : { line, column: column! }), cause: error },
  );
}

/** A JSON file that does not parse, located like `syntaxError()`; V8's message quotes the text, so it stays in `cause`. */
export function jsonError(error: unknown, file: string, text: string): ModuleError {
  const position = /at position (\d+)/.exec((error as Error).message)?.[1];
  if (position === undefined) return new ModuleError('ERR_X_REMOTE_MODULE_SYNTAX', `${file}: not valid JSON (the parser's message is this error's cause)`, { file, cause: error });
  const before = text.slice(0, Number(position)).split('\n');
  const line = before.length;
  const column = before[before.length - 1]!.length + 1;
  return new ModuleError('ERR_X_REMOTE_MODULE_SYNTAX', `${file}:${line}:${column}: not valid JSON (the parser's message is this error's cause)`, { file, line, column, cause: error });
}

export function nativeAddon(importer: string, addon: string): ModuleError {
  return new ModuleError(
    'ERR_X_REMOTE_NATIVE_ADDON',
    `${importer} loads the native addon ${addon}; native addons cannot travel to a context (they would have to be built for and written on its host): call that code in the parent, or install it on the remote host and import it from a path there`,
    { file: importer, importer, addon },
  );
}
