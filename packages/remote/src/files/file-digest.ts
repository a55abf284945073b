// The unchanged check (skipUnchanged): what a file already is, by size and checksum, on either side.
// Pure node:fs and digest.ts: it runs in contexts.
import * as fs from 'node:fs';
import { type Checksum, createDigest } from './digest.js';
import { CHUNK_SIZE } from './transfer.js';

/** What a file is, as the unchanged check compares it. */
export interface FileDigest {
  digest: string;
  mode: number;
  uid: number;
  gid: number;
}

/**
 * The digest of the regular file at `path` if it has `size` bytes, else null (missing, another size,
 * a symlink: never followed, a directory, anything unreadable: the transfer then says what is wrong).
 * A file that changes while it is hashed is not the same either.
 */
export async function digestFile(path: string, size: number, checksum: Checksum): Promise<FileDigest | null> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const before = await handle.stat();
    if (!before.isFile() || before.size !== size) return null;
    const hash = await createDigest(checksum);
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_SIZE, Math.max(size, 1)));
    let position = 0;
    while (position < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - position), position);
      if (bytesRead === 0) return null;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const after = await handle.stat();
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) return null;
    return { digest: hash.digest(), mode: before.mode & 0o7777, uid: before.uid, gid: before.gid };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

/** digestFile for each of `files`, a few at a time. */
export async function digestFiles(files: readonly { path: string; size: number }[], checksum: Checksum): Promise<(FileDigest | null)[]> {
  const results: (FileDigest | null)[] = new Array(files.length).fill(null);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      results[index] = await digestFile(files[index]!.path, files[index]!.size, checksum);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, files.length) }, worker));
  return results;
}
