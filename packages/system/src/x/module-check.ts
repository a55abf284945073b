// `x run` checks the module and the export before it contacts any target: the file exists, it parses
// (TypeScript too), its static imports resolve (local files and packages, as @x/remote's module server
// will resolve them), and it exports the name as a function. esbuild reads the module graph without
// running it (importing it here would run its top-level code in x itself).
import { statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as esbuild from 'esbuild';
import { ModuleCheckError } from './errors.js';

const require = createRequire(import.meta.url);

/** Marks a resolution the plugin asks for itself, so that it does not intercept its own question. */
const RESOLVING = Symbol('x-module-check');

/** An import that no file answers, found while the graph was read. */
interface Missing {
  specifier: string;
  importer: string;
}

/**
 * Resolves `path` against `cwd` and checks that the module exists, parses, that every static import
 * resolves and that `exportName` is an export that may be a function. Synchronous up to the build's
 * start: once it returns its promise, esbuild's process is at work, and the caller's thread is free
 * for what it does meanwhile (cli.ts loads @x/remote).
 *
 * @returns the module's file URL.
 * @throws ModuleCheckError `ERR_X_MODULE_NOT_FOUND` (the module, or a file or package it imports),
 *   `ERR_X_MODULE_SYNTAX` or `ERR_X_EXPORT_NOT_FOUND` (no such export, or one that is not a function).
 */
export async function checkModule(path: string, exportName: string, cwd: string): Promise<URL> {
  const file = resolve(cwd, path);
  if (!isFile(file)) throw new ModuleCheckError('ERR_X_MODULE_NOT_FOUND', `${path}: no such module (looked for ${file}).`);
  const shown = (name: string): string => relative(cwd, name) || name;
  const { build } = require('esbuild') as typeof esbuild;
  const missing: Missing[] = [];
  let result: esbuild.BuildResult & { metafile: esbuild.Metafile; outputFiles: esbuild.OutputFile[] };
  try {
    result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Locations in esbuild's messages are relative to this.
      absWorkingDir: cwd,
      logLevel: 'silent',
      plugins: [importsPlugin(missing)],
    });
  } catch (error) {
    const first = (error as { errors?: esbuild.Message[] }).errors?.[0];
    const where = first?.location ? `${shown(resolve(cwd, first.location.file))}:${first.location.line}:${first.location.column + 1}` : undefined;
    if (first !== undefined && /^Could not resolve /.test(first.text)) {
      throw new ModuleCheckError('ERR_X_MODULE_NOT_FOUND', `${path}: ${first.text.replace(/^Could not resolve/, 'cannot find')} (imported at ${where ?? shown(file)}); fix the import or create the file.`);
    }
    throw new ModuleCheckError('ERR_X_MODULE_SYNTAX', `${path}: ${first?.text ?? (error as Error).message}${where === undefined ? '' : ` (${where})`}`);
  }
  const gone = missing[0];
  if (gone !== undefined) {
    const name = packageName(gone.specifier);
    throw new ModuleCheckError(
      'ERR_X_MODULE_NOT_FOUND',
      `${path}: cannot find package '${name}' imported from ${shown(gone.importer)}${gone.specifier === name ? '' : ` (as '${gone.specifier}')`}; install it in the project (npm install ${name}) or fix the import.`,
    );
  }
  const output = Object.values(result.metafile.outputs)[0];
  const exports = output?.exports ?? [];
  const text = result.outputFiles[0]?.text ?? '';
  if (!exports.includes(exportName)) {
    // `export * from 'a-package'` re-exports names esbuild does not list: leave those to the call.
    if (!/^export \* from /m.test(text)) {
      const list = exports.length ? exports.join(', ') : 'none';
      throw new ModuleCheckError('ERR_X_EXPORT_NOT_FOUND', `${shown(file)} has no export named '${exportName}' (its exports: ${list}).`);
    }
    return pathToFileURL(file);
  }
  const kind = exportKind(text, exportName);
  if (kind !== undefined) {
    throw new ModuleCheckError('ERR_X_EXPORT_NOT_FOUND', `${shown(file)} exports '${exportName}' as ${kind}, not a function: x run calls a function (export one that returns what you need).`);
  }
  return pathToFileURL(file);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves each bare import as the module server will (from the importing file's directory, package
 * `exports` and tsconfig paths included) and records those nothing answers. A package is then left
 * out of the bundle: only the user's own files are read. A dynamic import() loads on demand in the
 * context and may never run: it is not checked.
 */
function importsPlugin(missing: Missing[]): esbuild.Plugin {
  return {
    name: 'x-module-check-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === 'dynamic-import') return { path: args.path, external: true };
        if (args.pluginData === RESOLVING || !/^[^./#]/.test(args.path) || args.path.startsWith('file:')) return undefined;
        if (args.path === '@x/remote' || args.path.startsWith('node:') || isBuiltin(args.path)) return { path: args.path, external: true };
        const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: RESOLVING });
        if (found.errors.length > 0) {
          missing.push({ specifier: args.path, importer: args.importer });
          return { path: args.path, external: true };
        }
        // A tsconfig path alias names the user's own file: read it like any other.
        return found.path.includes(`${sep}node_modules${sep}`) ? { path: args.path, external: true } : { path: found.path };
      });
    },
  };
}

/** `lodash` for `lodash/fp`, `@scope/name` for `@scope/name/sub`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * What the export `name` of esbuild's bundle is when it is surely not a function ('a string', 'a
 * class'...), from the declaration the bundle's export clause names; undefined when it is a function
 * or cannot be told without running the module (`export const run = wrap(task)`).
 */
function exportKind(bundle: string, name: string): string | undefined {
  let local: string | undefined;
  for (const clause of bundle.matchAll(/^export \{([^}]*)\};?$/gm)) {
    for (const item of clause[1]!.split(',')) {
      const [binding, alias] = item.trim().split(/\s+as\s+/);
      if ((alias ?? binding) === name || (alias !== undefined && alias.replace(/^"|"$/g, '') === name)) local = binding;
    }
  }
  if (local === undefined || !/^[\w$]+$/.test(local)) return undefined;
  const declared = new RegExp(`^(?:(?:async )?function\\*? ${escape(local)}\\(|class ${escape(local)}\\b|(?:var|let|const) ${escape(local)} = (.*))`, 'm').exec(bundle);
  if (declared === null) return undefined;
  if (declared[0].startsWith('class ')) return 'a class';
  const value = declared[1]?.replace(/^\/\* @__PURE__ \*\/ /, '');
  if (value === undefined) return undefined;
  if (/^["'`]/.test(value)) return 'a string';
  if (/^-?(\d|\.\d)/.test(value)) return 'a number';
  if (/^(true|false)\b/.test(value)) return 'a boolean';
  if (/^(null|void 0|undefined)\b/.test(value)) return 'undefined or null';
  if (value.startsWith('[')) return 'an array';
  if (value.startsWith('{')) return 'an object';
  if (/^class\b/.test(value)) return 'a class';
  if (/^new [\w$.]+/.test(value)) return `an object (${/^new ([\w$.]+)/.exec(value)![1]})`;
  return undefined;
}

function escape(text: string): string {
  return text.replace(/\$/g, '\\$');
}
