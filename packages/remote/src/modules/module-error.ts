/** Why a module could not be sent to, or loaded in, a context. */
export type ModuleErrorCode =
  | 'ERR_X_REMOTE_MODULE_NOT_FOUND'
  | 'ERR_X_REMOTE_NATIVE_ADDON'
  | 'ERR_X_REMOTE_MODULE_SYNTAX'
  | 'ERR_X_REMOTE_MODULE_REFUSED';

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
 * A module of a call's graph that cannot travel: missing, unparsable, a native addon, or (for a dynamic `import()`
 * from a context) a file the parent refuses to serve. Raised on the parent while the graph is built, and inside a
 * context when a dynamic `import()` fetches a module that fails. Its message never quotes a file: a syntax error
 * names the file, line and column, and the parser's own words (which may quote the line) stay in `cause`.
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

const DETAIL_FIELDS = ['file', 'line', 'column', 'importer', 'specifier', 'addon'] as const;

/**
 * `error` as it may be sent to a context: its class, code and message (which never quote a file), without its
 * `cause` or the parent's stack, where a parser's message (and so a line of the file) may hide.
 */
export function errorForContext(error: unknown): Error {
  if (error instanceof ModuleError) {
    const details: ModuleErrorDetails = {};
    for (const field of DETAIL_FIELDS) if (error[field] !== undefined) (details as Record<string, unknown>)[field] = error[field];
    const sent = new ModuleError(error.code, error.message, details);
    sent.stack = `ModuleError: ${sent.message}`;
    return sent;
  }
  const message = error instanceof Error ? error.message : String(error);
  const sent = new Error(message);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') Object.assign(sent, { code });
  sent.stack = `Error: ${message}`;
  return sent;
}
