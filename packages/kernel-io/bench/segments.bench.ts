// streamSharedSegments over 256 MiB of a cached file, each segment copied into a destination (so
// every byte is touched) vs a memcpy (Buffer#copy) of the same bytes already in memory, and vs a
// plain read (readFile channel) whose buffers are copied the same way.
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile, streamSharedSegments } from '../src/index.js';
import { alternate } from './support.js';

const SIZE = 256 << 20;
const SEGMENT = 1 << 20;
const dir = fs.mkdtempSync(join(tmpdir(), 'x-kernel-io-bench-'));
const path = join(dir, 'segments');
try {
  const source = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 4096) source[i] = i & 0xff;
  fs.writeFileSync(path, source);
  const destination = Buffer.alloc(SEGMENT);
  let sink = 0;

  await alternate(
    'kernel-io: 256 MiB in 1 MiB segments, each copied once',
    SIZE,
    {
      name: 'streamSharedSegments',
      run: async () => {
        let n = 0;
        for await (const segment of streamSharedSegments(path, { size: SEGMENT })) n += segment.copy(destination);
        if (n !== SIZE) throw new Error(`segments gave ${n} bytes`);
        sink += destination[0]!;
      },
    },
    [
      {
        name: 'memcpy',
        run: async () => {
          let n = 0;
          for (let i = 0; i < SIZE; i += SEGMENT) n += source.copy(destination, 0, i, i + SEGMENT);
          if (n !== SIZE) throw new Error(`memcpy gave ${n} bytes`);
          sink += destination[0]!;
        },
      },
      {
        name: 'readFile channel',
        run: async () => {
          let n = 0;
          const input = readFile(path, { bufferSize: SEGMENT });
          for await (const chunk of input) {
            n += chunk.copy(destination);
            input.release(chunk);
          }
          if (n !== SIZE) throw new Error(`read gave ${n} bytes`);
          sink += destination[0]!;
        },
      },
    ],
    5,
  );
  if (sink < 0) console.log(sink);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
