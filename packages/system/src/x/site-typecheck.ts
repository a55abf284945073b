// `x apply` typechecks the site before it contacts any target, so that a resource given wrong options
// (a misspelt option, a mode as a string, a state that does not exist) is a usage error here rather
// than a failure on every host. It uses the TypeScript the site's own project has: x does not carry
// one, and a site outside any project with TypeScript is not typechecked (the other checks still run).
import { createRequire } from 'node:module';
import { dirname, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TypeScript from 'typescript';
import { SiteTypeError } from './errors.js';

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

/** How many errors the message lists before it says how many more there are. */
const shown = 10;

/**
 * Typechecks `file` (and the project files it imports) with the `typescript` package that resolves
 * from its directory and the nearest tsconfig.json's options (strict defaults without one).
 *
 * @returns whether it was typechecked: false when no TypeScript resolves from the site.
 * @throws SiteTypeError `ERR_X_SITE_TYPE` listing the errors, each as `file:line:col message`.
 */
export async function typecheckSite(file: string, cwd: string): Promise<boolean> {
  let resolved: string;
  try {
    resolved = createRequire(file).resolve('typescript');
  } catch {
    return false;
  }
  const ts = ((await import(pathToFileURL(resolved).href)) as { default: typeof TypeScript }).default;
  const configFile = ts.findConfigFile(dirname(file), ts.sys.fileExists);
  let options: TypeScript.CompilerOptions;
  if (configFile === undefined) {
    options = ts.convertCompilerOptionsFromJson(defaults, dirname(file)).options;
  } else {
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    options = parsed?.options ?? ts.convertCompilerOptionsFromJson(defaults, dirname(file)).options;
  }
  // Only whether it typechecks matters: no output, no incremental state, no project references.
  const program = ts.createProgram([file], { ...options, noEmit: true, incremental: false, composite: false, declaration: false, skipLibCheck: true });
  const diagnostics = program
    .getSourceFiles()
    .filter((source) => !source.isDeclarationFile && !source.fileName.includes('/node_modules/'))
    .flatMap((source) => [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]);
  const errors = diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (errors.length === 0) return true;
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
