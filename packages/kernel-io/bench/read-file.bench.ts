// A 1 GiB file in the page cache: readFile channel (buffers handed back) vs fs.createReadStream vs
// fs.promises.readFile vs `cat file > /dev/null`, the floor a C program sets.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from '../src/index.js';
import { alternate } from './support.js';

const SIZE = 1 << 30;
const dir = fs.mkdtempSync(join(tmpdir(), 'x-kernel-io-bench-'));
const path = join(dir, 'gib');
try {
  const block = Buffer.alloc(16 << 20, 7);
  const fd = fs.openSync(path, 'w');
  for (let i = 0; i < SIZE; i += block.length) fs.writeSync(fd, block);
  fs.closeSync(fd);

  const check = (n: number, who: string) => {
    if (n !== SIZE) throw new Error(`${who} read ${n} bytes, not ${SIZE}`);
  };

  await alternate(
    'kernel-io: read a 1 GiB cached file',
    SIZE,
    {
      name: 'readFile channel',
      run: async () => {
        const input = readFile(path);
        let n = 0;
        for await (const chunk of input) {
          n += chunk.length;
          input.release(chunk);
        }
        check(n, 'readFile');
      },
    },
    [
      {
        name: 'fs.createReadStream',
        run: async () => {
          let n = 0;
          for await (const chunk of fs.createReadStream(path)) n += (chunk as Buffer).length;
          check(n, 'createReadStream');
        },
      },
      {
        name: 'fs.promises.readFile',
        run: async () => check((await fs.promises.readFile(path)).length, 'fs.promises.readFile'),
      },
      {
        name: 'cat',
        run: async () => {
          const run = spawnSync('/bin/sh', ['-c', 'cat "$0" > /dev/null', path]);
          if (run.status !== 0) throw new Error(`cat failed: ${run.stderr}`);
        },
      },
    ],
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
