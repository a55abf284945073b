/**
 * The command that builds the addon from source in the x repository: named by `ERR_X_NATIVE_MISSING`.
 */
export declare const REBUILD_COMMAND: string;

/**
 * The command named instead for a copy installed under `node_modules` (no prebuilt binary fitted and no
 * compiler was found at install time): `npm rebuild @x/native`.
 */
export declare const INSTALLED_REBUILD_COMMAND: string;

/**
 * Loads the compiled addon found in `dir` (its `build/Release` first, then the prebuilt binary in
 * `prebuilds/` that fits this platform, architecture and libc).
 *
 * @throws an `Error` with `code: 'ERR_X_NATIVE_MISSING'`, `command` and `cause` when no binary exists;
 *   any other load failure (a broken binary, a missing symbol) is rethrown unchanged.
 */
export declare function loadBinding(dir: string): unknown;
