import { readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import path from 'node:path';
import { parse as parseCommonJs } from 'cjs-module-lexer';
import { parse as parseImports } from 'es-module-lexer';
import type * as esbuild from 'esbuild';
import { ModuleError } from './module-error.js';
import { isCommonJs, nativeAddon, syntaxError, type FileInput } from './module-files.js';

export interface BundledModule {
  /** Every file the bundle was made from, so that a change to any of them makes it again. */
  inputs: FileInput[];
  source: string;
  /** `source`'s map to the package's files, as JSON text: it stays with the parent (see stack-paths.ts). */
  map: string;
  /** The static imports left in `source`. */
  imports: string[];
}

/** esbuild's ESM output for a CommonJS package calls `require` for builtins; give it Node's. */
const REQUIRE_BANNER = 'import { createRequire as __xRemoteCreateRequire } from "node:module";\n' +
  'const require = __xRemoteCreateRequire(import.meta.url);\n';
/** A CommonJS file's own paths are those of the package entry on the parent (the context has no such files). */
const PATHS_BANNER = 'import { fileURLToPath as __xRemoteFileURLToPath } from "node:url";\n' +
  'const __filename = __xRemoteFileURLToPath(import.meta.url);\n' +
  'const __dirname = __xRemoteFileURLToPath(new URL(".", import.meta.url));\n';
/** Packages whose only job is to find and load a native addon at run time. */
const ADDON_LOADERS = /^(bindings|node-gyp-build|node-gyp-build-optional-packages|node-pre-gyp|@mapbox\/node-pre-gyp|prebuild-install)$/;

let loading: Promise<typeof esbuild> | undefined;
const requireHere = createRequire(import.meta.url);

/**
 * esbuild, loaded on first use: loading it costs tens of ms of CPU, which a program that ships only plain
 * JavaScript (module-syntax.ts) never pays, and neither does it start esbuild's service process. It is a
 * CommonJS package: require() is about 8 ms, where import() is about 23 (Node lexes the source for its export
 * names), and it shares the instance, so the service, with a program that required it first (x's module check).
 */
export function loadEsbuild(): Promise<typeof esbuild> {
  loading ??= Promise.resolve().then(() => requireHere('esbuild') as typeof esbuild);
  return loading;
}

/**
 * esbuild when this process has it already (this module loaded it, or the program required it: x's module
 * check), so using it costs no load; undefined otherwise.
 */
export function loadedEsbuild(): Promise<typeof esbuild> | undefined {
  if (loading !== undefined) return loading;
  let resolved: string;
  try {
    resolved = requireHere.resolve('esbuild');
  } catch {
    return undefined;
  }
  return requireHere.cache[resolved] === undefined ? undefined : loadEsbuild();
}

/** Stops esbuild's service (a child process) if esbuild was ever loaded. */
export async function stopEsbuild(): Promise<void> {
  if (loading !== undefined) await (await loading).stop();
}

/** Marks a resolution the bundler plugin asks for itself, so that it does not intercept its own question. */
const RESOLVING = Symbol('x-remote-resolving');

/**
 * A package (or a CommonJS file) pre-bundled by esbuild into one ESM record. Its imports that stay are builtins
 * and the packages its ESM code imports, which travel as records of their own.
 */
export async function bundleModule(file: string, conditions: string[]): Promise<BundledModule> {
  const addons: Array<{ importer: string; addon: string }> = [];
  const commonJs = isCommonJs(file);
  const options: esbuild.BuildOptions & { write: false; metafile: true } = {
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['main'],
    conditions: conditions,
    // Paths in the output's comments are relative to this: the package's own directory keeps a record's bytes
    // (so its key) the same whatever the parent's cwd.
    absWorkingDir: path.dirname(file),
    // Nothing is written: the output's name only makes the map's sources relative to the package's directory.
    outfile: path.join(path.dirname(file), 'x-remote-bundle.js'),
    sourcemap: 'external',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [{
      name: 'x-remote-native-addons',
      setup(build) {
        build.onResolve({ filter: /\.node$/ }, (args) => {
          addons.push({ importer: args.importer, addon: path.resolve(args.resolveDir, args.path) });
          return { path: args.path, external: true };
        });
        build.onResolve({ filter: ADDON_LOADERS }, (args) => {
          addons.push({ importer: args.importer, addon: `${args.path} (it loads a compiled .node file at run time)` });
          return { path: args.path, external: true };
        });
        // A package that ESM code here imports stays a record of its own (an import in the output), so that it is
        // one instance with the same package imported elsewhere, as in a local process. Only when it resolves
        // from the entry's directory to the same file: the import is resolved from there later. `require()`s are
        // bundled: the ESM output can only require builtins.
        build.onResolve({ filter: /^[^./#]/ }, async (args) => {
          if (args.pluginData === RESOLVING || (args.kind !== 'import-statement' && args.kind !== 'dynamic-import')) return undefined;
          if (isBuiltin(args.path) || args.path === '@x/remote') return undefined;
          const resolve = (resolveDir: string): Promise<esbuild.ResolveResult> =>
            build.resolve(args.path, { kind: args.kind, resolveDir, pluginData: RESOLVING });
          const [here, fromEntry] = await Promise.all([resolve(args.resolveDir), resolve(path.dirname(file))]);
          if (here.errors.length > 0 || here.external || here.path !== fromEntry.path || here.path === file) return undefined;
          return { path: args.path, external: true };
        });
      },
    }],
  };
  if (commonJs) {
    // Node gives an ESM importer of CommonJS `default` = module.exports plus the names cjs-module-lexer finds;
    // esbuild alone would give only `default`.
    const names = [...commonJsExportNames(file, new Set())].filter((name) => name !== 'default');
    const lines = [`const __xRemoteModule = require(${JSON.stringify(file)});`, 'export default __xRemoteModule;'];
    names.forEach((name, index) => lines.push(`const __xRemote${index} = __xRemoteModule[${JSON.stringify(name)}];`));
    if (names.length > 0) lines.push(`export { ${names.map((name, index) => `__xRemote${index} as ${JSON.stringify(name)}`).join(', ')} };`);
    options.stdin = { contents: lines.join('\n'), resolveDir: path.dirname(file), sourcefile: `${file}.x-remote.mjs`, loader: 'js' };
  } else {
    options.entryPoints = [file];
  }
  let result: esbuild.BuildResult<typeof options>;
  try {
    result = await (await loadEsbuild()).build(options);
  } catch (error) {
    const failure = (error as esbuild.BuildFailure).errors?.[0];
    if (failure !== undefined && /^Could not resolve/.test(failure.text)) {
      const importer = failure.location?.file;
      throw new ModuleError('ERR_X_REMOTE_MODULE_NOT_FOUND', `${failure.text} (imported from ${importer ?? file}); install it in the parent or fix the import`, { file, ...(importer === undefined ? {} : { importer }), cause: error });
    }
    throw syntaxError(error, file);
  }
  const found = addons[0];
  if (found !== undefined) throw nativeAddon(found.importer.replace(/\.x-remote\.mjs$/, '') || file, found.addon);
  const output = (extension: string): string => result.outputFiles.find((out) => out.path.endsWith(extension))!.text;
  const bundled = output('.js');
  let source = bundled;
  const map = JSON.parse(output('.js.map')) as { mappings: string };
  // CommonJS code reaches for `require`, `__filename` and `__dirname`, which an ES module lacks; the bundle's
  // own top level may already declare them, and a second declaration would not parse.
  if (/\b__require\b/.test(source) && !declares(source, 'require')) source = REQUIRE_BANNER + source;
  if (/\b__(file|dir)name\b/.test(source) && !declares(source, '__filename') && !declares(source, '__dirname')) source = PATHS_BANNER + source;
  // One ';' per line a banner put before the bundle: the map's lines start where the bundle's now do.
  const banners = source.slice(0, source.length - bundled.length);
  if (banners !== '') map.mappings = ';'.repeat(banners.split('\n').length - 1) + map.mappings;
  const imports = new Set<string>();
  for (const specifier of parseImports(source, file)[0]) if (specifier.t === 1 && specifier.n !== undefined) imports.add(specifier.n);
  const inputs = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    const inputFile = path.resolve(path.dirname(file), input);
    if (inputFile.endsWith('.x-remote.mjs')) continue;
    const stats = statSync(inputFile, { throwIfNoEntry: false });
    if (stats !== undefined) inputs.push({ file: inputFile, mtimeMs: stats.mtimeMs, size: stats.size });
  }
  return { inputs, source, map: JSON.stringify(map), imports: [...imports] };
}

/** The names Node's own cjs-module-lexer pass finds in `file`, following `module.exports = require(...)`. */
function commonJsExportNames(file: string, seen: Set<string>): Set<string> {
  const names = new Set<string>();
  if (seen.has(file) || !/\.(c?js|cts)$/.test(file)) return names;
  seen.add(file);
  let lexed;
  try {
    lexed = parseCommonJs(readFileSync(file, 'utf8'));
  } catch {
    return names;
  }
  for (const name of lexed.exports) names.add(name);
  const require = createRequire(file);
  for (const reexport of lexed.reexports) {
    try {
      for (const name of commonJsExportNames(require.resolve(reexport), seen)) names.add(name);
    } catch {
      // An unresolvable re-export contributes no names, as in Node.
    }
  }
  return names;
}

function declares(source: string, name: string): boolean {
  return new RegExp(`\\b(var|let|const|function|class)\\s+${name}\\b`).test(source);
}
