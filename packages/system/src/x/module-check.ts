// `x run` checks the module and the export before it contacts any target: the file exists, it parses
// (TypeScript too), its static imports of local files resolve, and it exports the name. esbuild reads
// the module graph without running it (importing it here would run its top-level code in x itself).
import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ModuleCheckError } from './errors.js';

/**
 * Resolves `path` against `cwd` and checks that the module exists, parses and exports `exportName`.
 *
 * @returns the module's file URL.
 * @throws ModuleCheckError `ERR_X_MODULE_NOT_FOUND`, `ERR_X_MODULE_SYNTAX` or `ERR_X_EXPORT_NOT_FOUND`.
 */
export async function checkModule(path: string, exportName: string, cwd: string): Promise<URL> {
  const file = resolve(cwd, path);
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new ModuleCheckError('ERR_X_MODULE_NOT_FOUND', `${path}: no such module (looked for ${file}).`);
  const esbuild = await import('esbuild');
  let result: Awaited<ReturnType<typeof esbuild.build>> & { metafile: import('esbuild').Metafile };
  try {
    result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      plugins: [
        {
          // A dynamic import() loads on demand in the context and may never run: not checked here.
          name: 'x-dynamic-imports-external',
          setup(build) {
            build.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
          },
        },
      ],
    });
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line}:${first.location.column + 1})` : '';
    throw new ModuleCheckError('ERR_X_MODULE_SYNTAX', `${path}: ${first?.text ?? (error as Error).message}${where}`);
  }
  const output = Object.values(result.metafile.outputs)[0];
  const exports = output?.exports ?? [];
  if (!exports.includes(exportName)) {
    // `export * from 'a-package'` re-exports names esbuild does not list: leave those to the call.
    const text = result.outputFiles?.[0]?.text ?? '';
    if (!/^export \* from /m.test(text)) {
      const shown = relative(cwd, file) || file;
      const list = exports.length ? exports.join(', ') : 'none';
      throw new ModuleCheckError('ERR_X_EXPORT_NOT_FOUND', `${shown} has no export named '${exportName}' (its exports: ${list}).`);
    }
  }
  return pathToFileURL(file);
}
