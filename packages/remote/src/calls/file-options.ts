// What a Context's file methods take and return. Declared in the calls layer, where Context lives; the
// files layer (files/files.ts) implements the methods for the root.

/** What a finished transfer moved. */
export interface TransferResult {
  bytes: number;
  sha256: string;
}

/** How a file is written at its destination. */
export interface FileOptions {
  /** Permission bits of the written file (default: the source file's; for openWrite the existing file's, else 0o666 less the umask). */
  mode?: number;
  /** The written file's owner (numeric ids; changing it needs the right to, e.g. root through sudo). */
  owner?: { uid?: number; gid?: number };
  /** Give the written file the source's access and modification times (default false: now). */
  preserveTimes?: boolean;
  /** Replace an existing file (default true); false fails with EEXIST instead. */
  overwrite?: boolean;
  /** Aborts the transfer: it rejects with a ChannelError ('aborted') and the destination is left as it was. */
  signal?: AbortSignal;
  /**
   * Hears progress: `(bytes, total)`, the bytes written at the destination so far and the whole size
   * (for a directory, of all its files; undefined for openWrite). If it throws, the transfer is
   * abandoned and rejects with that error.
   */
  onProgress?: ((bytes: number, total: number | undefined) => void) | undefined;
}

/** What a directory transfer made. */
export interface DirectoryResult {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
  /** Entries that are neither files, directories nor symlinks (fifos, sockets, devices), relative to the root: not copied. */
  skipped: string[];
}
