// Code as it travels from the parent's module server to a context's registry.

/** One module as it travels: ESM JavaScript (types stripped), content-addressed. */
export interface ModuleRecord {
  /**
   * The module's URL in the context: the parent's file URL + `?x=` + the first 16 hex digits of a sha256 over
   * its source and its dependencies' keys. So `import.meta.url` and stack traces name the parent's file, and a
   * changed file (or a changed dependency) is a new module, never a stale one.
   */
  key: string;
  /** ESM JavaScript (or JSON text when the key's path ends in `.json`). */
  source: string;
  /**
   * Every static import specifier in `source` -> the key of its module, `node:<name>` for a builtin, or
   * `@x/remote` for the runtime shim. Dynamic `import()`s are not listed: they are fetched when they run.
   */
  deps: Record<string, string>;
}

/** A called module and its whole static import graph. */
export interface ModuleGraph {
  /** The key to import (or `node:<name>` when a dynamic import named a builtin). */
  root: string;
  /** Dependencies before their importers. */
  modules: ModuleRecord[];
}
