// What a Context's file methods take and return. Declared in the calls layer, where Context lives; the
// files layer (files/files.ts) implements the methods for the root.

/** A checksum a transfer is checked by: xxh3-128 (the default, fast) or sha256. */
export type Checksum = 'xxh128' | 'sha256';

/** What a finished transfer moved. */
export interface TransferResult {
  /** The file's size. */
  bytes: number;
  /** Which checksum `digest` is. */
  checksum: Checksum;
  /** The file's digest (lowercase hex) that both sides agreed on. */
  digest: string;
  /** False when the destination already had these bytes and was left alone (`skipUnchanged`). */
  changed: boolean;
}

/** How a file is written at its destination. */
export interface FileOptions {
  /**
   * Permission bits of the written file. Default: an existing file's (a replaced file keeps its
   * mode), else the source file's; for openWrite an existing file's, else 0o666 less the umask.
   */
  mode?: number;
  /**
   * The written file's owner (numeric ids; changing it needs the right to, e.g. root through sudo).
   * Default: a replaced file keeps its owner where this process may give it (root may); a new file is
   * this process's.
   */
  owner?: { uid?: number; gid?: number };
  /** Give the written file the source's access and modification times (default false: now). */
  preserveTimes?: boolean;
  /** Replace an existing file (default true); false fails with EEXIST instead. */
  overwrite?: boolean;
  /**
   * The checksum both sides check the bytes by (default 'xxh128', xxh3-128 as rsync 3.2+ uses:
   * catches corruption on the way, about 2.5 times cheaper than sha256; 'sha256' where you want the
   * digest for something else too). The result says which it carries.
   */
  checksum?: Checksum;
  /**
   * Leave a destination file alone when it is a regular file of the source's size and checksum (and
   * of the `mode` and `owner` given, if any): nothing is written and the result says `changed: false`.
   * Default false: always written.
   */
  skipUnchanged?: boolean;
  /**
   * pushDirectory only: remove what the destination tree has and the source lacks (and an entry whose
   * type differs, before the source's replaces it); never anything outside the destination, and
   * never a destination that is `/` or the context's home directory (ERR_X_REMOTE_UNSAFE_PATH).
   */
  delete?: boolean;
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
  /** Files of the tree, written or left alone. */
  files: number;
  /** Of those, the ones left alone (`skipUnchanged`: the destination had them already). */
  unchanged: number;
  directories: number;
  symlinks: number;
  /** Bytes of the tree's files (written or not). */
  bytes: number;
  /** Entries removed from the destination (`delete`), directories counted with what was in them. */
  deleted: number;
  /** Entries that are neither files, directories nor symlinks (fifos, sockets, devices), relative to the root: not copied. */
  skipped: string[];
}
