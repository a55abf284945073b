// The checksums a transfer is checked by, on both sides (transfer-source.ts hashes what it sends,
// transfer-sink.ts what arrives), and x copy's unchanged check. xxh3-128 by default, as rsync 3.2+
// does: on this 2-core machine sha256 (with SHA extensions) hashes about 1.1 GiB/s of CPU and
// xxh3-128 about 2.9 GiB/s, and both ends hash every byte. It comes from hash-wasm (WebAssembly
// inlined in JavaScript), so it runs in any context: nothing native travels.
import { createHash } from 'node:crypto';
import { createXXHash128 } from 'hash-wasm';
import type { Checksum } from '../calls/file-options.js';

export type { Checksum };

/** The default: fast, and catches what a transfer can do to the bytes (not an attacker's collision). */
export const DEFAULT_CHECKSUM: Checksum = 'xxh128';

/** A running hash. */
export interface Digest {
  update(data: Uint8Array): void;
  /** The digest in lowercase hex; the Digest is spent. */
  digest(): string;
}

/** Hex digits in each checksum's digest. */
const HEX_LENGTH: Record<Checksum, number> = { xxh128: 32, sha256: 64 };

export function isChecksum(value: unknown): value is Checksum {
  return value === 'xxh128' || value === 'sha256';
}

/** Whether `value` is a digest of `checksum`: lowercase hex of its length. */
export function isDigest(checksum: Checksum, value: unknown): value is string {
  return typeof value === 'string' && value.length === HEX_LENGTH[checksum] && /^[0-9a-f]+$/.test(value);
}

/** A fresh running hash of `checksum`. */
export async function createDigest(checksum: Checksum): Promise<Digest> {
  if (checksum === 'sha256') {
    const hash = createHash('sha256');
    return { update: (data) => hash.update(data), digest: () => hash.digest('hex') };
  }
  const hash = await createXXHash128();
  hash.init();
  return { update: (data) => hash.update(data), digest: () => hash.digest('hex') };
}
