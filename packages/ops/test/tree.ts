// Test helpers: a scratch directory per test, and a fingerprint of a tree (every entry's kind, mode,
// owner, link target and content hash) to prove check mode changed nothing on disk.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

export function fingerprint(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const st = fs.lstatSync(full);
      hash.update(`${path.relative(root, full)} ${st.mode} ${st.uid} ${st.gid} ${st.mtimeMs} ${st.ino}\n`);
      if (st.isSymbolicLink()) hash.update(fs.readlinkSync(full));
      else if (st.isFile()) hash.update(fs.readFileSync(full));
      else if (st.isDirectory()) walk(full);
    }
  };
  const top = fs.lstatSync(root);
  hash.update(`. ${top.mode} ${top.uid} ${top.gid} ${top.mtimeMs}\n`);
  walk(root);
  return hash.digest('hex');
}

/** A fresh directory for each test of the calling file, removed after it. */
export function useScratch(): { readonly dir: string } {
  const scratch = { dir: '' };
  beforeEach(() => {
    scratch.dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'x-ops-')));
  });
  afterEach(() => {
    fs.rmSync(scratch.dir, { recursive: true, force: true });
  });
  return scratch;
}

export function modeOf(file: string): number {
  return fs.lstatSync(file).mode & 0o7777;
}
