/** Why a module could not be sent to, or loaded in, a context. */
export type ModuleErrorCode =
  | 'ERR_X_REMOTE_MODULE_NOT_FOUND'
  | 'ERR_X_REMOTE_NATIVE_ADDON'
  | 'ERR_X_REMOTE_MODULE_SYNTAX';

export interface ModuleErrorDetails {
  /** The file the error is about (the missing file, the file with the syntax error, the importer). */
  file?: string;
  /** 1-based line and column of a syntax error. */
  line?: number;
  column?: number;
  /** The module whose import failed, and the specifier it used. */
  importer?: string;
  specifier?: string;
  /** The native addon (.node file, or the package that loads one) that was refused. */
  addon?: string;
  cause?: unknown;
}

/**
 * A module of a call's graph that cannot travel: missing, unparsable, or a native addon. Raised on the parent
 * while the graph is built, and inside a context when a dynamic `import()` fetches a module that fails.
 * Lives apart from module-server.ts so that the context's core can throw it without esbuild.
 */
export class ModuleError extends Error {
  override name = 'ModuleError';
  readonly code: ModuleErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly importer: string | undefined;
  readonly specifier: string | undefined;
  readonly addon: string | undefined;

  constructor(code: ModuleErrorCode, message: string, details: ModuleErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.importer = details.importer;
    this.specifier = details.specifier;
    this.addon = details.addon;
  }
}
