// `x apply` typechecks the site before it contacts any target, so that a resource given wrong options
// (a misspelt option, a mode as a string, a state that does not exist) is a usage error here rather
// than a failure on every host. It uses the TypeScript the site's own project has: x does not carry
// one, and a site outside any project with TypeScript is not typechecked (the other checks still run).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TypeScript from 'typescript';
import { SiteTypeError } from './errors.js';
import { type CheckKey, isCached, ProbeRecorder, recordPassed } from './typecheck-cache.js';

/** The options a site without a tsconfig.json is checked with: what a new Node project would choose. */
const defaults = {
  strict: true,
  target: 'es2022',
  module: 'nodenext',
  moduleResolution: 'nodenext',
  allowImportingTsExtensions: true,
  skipLibCheck: true,
  noEmit: true,
};

/** What is overridden in any tsconfig.json's options: only whether it typechecks matters. */
const overrides = { noEmit: true, incremental: false, composite: false, declaration: false, skipLibCheck: true };

/** How many errors the message lists before it says how many more there are. */
const shown = 10;

/**
 * Typechecks `file` (and the project files it imports) with the `typescript` package that resolves
 * from its directory and the nearest tsconfig.json's options (strict defaults without one). A passed
 * check is cached (see typecheck-cache.ts): the same site, TypeScript and options, with every file and
 * module resolution TypeScript saw unchanged, is not checked again.
 *
 * @returns `'checked'`, `'cached'` (it passed before and nothing it depends on changed), or false when
 *   no TypeScript resolves from the site.
 * @throws SiteTypeError `ERR_X_SITE_TYPE` listing the errors, each as `file:line:col message`.
 */
export async function typecheckSite(file: string, cwd: string): Promise<'checked' | 'cached' | false> {
  let resolved: string;
  try {
    resolved = createRequire(file).resolve('typescript');
  } catch {
    return false;
  }
  const key = checkKey(file, resolved);
  if (key !== undefined && isCached(key)) return 'cached';
  const ts = ((await import(pathToFileURL(resolved).href)) as { default: typeof TypeScript }).default;
  // Every file system answer TypeScript gets, from the config file's parsing to module resolution, is
  // recorded: the cache entry is valid while they all stay the same.
  const recorder = new ProbeRecorder();
  const probes = { fileExists: recorder.fileExists, directoryExists: recorder.directoryExists, getDirectories: recorder.getDirectories, realpath: recorder.realpath, readFile: recorder.readFile };
  const configFile = ts.findConfigFile(dirname(file), recorder.fileExists);
  let options: TypeScript.CompilerOptions;
  if (configFile === undefined) {
    options = ts.convertCompilerOptionsFromJson(defaults, dirname(file)).options;
  } else {
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, ...probes, onUnRecoverableConfigFileDiagnostic: () => {} });
    options = parsed?.options ?? ts.convertCompilerOptionsFromJson(defaults, dirname(file)).options;
  }
  const compilerOptions = { ...options, ...overrides };
  // The project's directory, not x's working directory, is where TypeScript looks for @types and resolves
  // relative names: the same site checks the same from wherever x is started.
  const projectDirectory = dirname(configFile ?? file);
  const host = Object.assign(ts.createCompilerHost(compilerOptions), probes, { getCurrentDirectory: () => projectDirectory });
  const program = ts.createProgram({ rootNames: [file], options: compilerOptions, host });
  const diagnostics = program
    .getSourceFiles()
    .filter((source) => !source.isDeclarationFile && !source.fileName.includes('/node_modules/'))
    .flatMap((source) => [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]);
  const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) {
    if (key !== undefined) recordPassed(key, recorder);
    return 'checked';
  }
  const lines = errors.slice(0, shown).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n    ');
    if (diagnostic.file === undefined || diagnostic.start === undefined) return `  ${text}`;
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    return `  ${relative(cwd, diagnostic.file.fileName) || diagnostic.file.fileName}:${line + 1}:${character + 1} ${text}`;
  });
  if (errors.length > shown) lines.push(`  and ${errors.length - shown} more`);
  throw new SiteTypeError(
    `${relative(cwd, file) || file} does not typecheck (TypeScript ${ts.version}${configFile === undefined ? '' : `, ${relative(cwd, configFile) || configFile}`}); fix it, or pass --no-typecheck:\n${lines.join('\n')}`,
  );
}

/**
 * What a cached check must match besides TypeScript's file system answers: the site as named and as
 * it really is, the TypeScript build (its
 * version and its file's identity: a patched typescript.js is another build) and x's own options.
 * Undefined when the site or TypeScript cannot be identified: then nothing is cached.
 */
function checkKey(file: string, typescript: string): CheckKey | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dirname(typescript), '..', 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (manifest.name !== 'typescript' || typeof manifest.version !== 'string') return undefined;
    const build = statSync(typescript);
    return {
      site: realpathSync(file),
      file,
      typescript: `${typescript} ${manifest.version} ${build.size} ${build.mtimeMs} ${build.ino}`,
      options: JSON.stringify({ defaults, overrides }),
    };
  } catch {
    return undefined;
  }
}
