/**
 * The command that builds the addon from source: named by `ERR_X_NATIVE_MISSING`.
 */
export declare const REBUILD_COMMAND: string;

/**
 * Loads the compiled addon found in `dir` (its `prebuilds/` first, then `build/Release`).
 *
 * @throws an `Error` with `code: 'ERR_X_NATIVE_MISSING'`, `command` and `cause` when no binary exists;
 *   any other load failure (a broken binary, a missing symbol) is rethrown unchanged.
 */
export declare function loadBinding(dir: string): unknown;
