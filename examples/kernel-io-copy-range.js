// @x/kernel-io: copy a byte range of one file into another with pipeline(), and patch a file in place.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { readFileRange, toReadable, toWritable, updateFile, writeFile } from '@x/kernel-io';

const dir = fs.mkdtempSync(join(tmpdir(), 'x-example-'));
try {
  const source = join(dir, 'source');
  const target = join(dir, 'target');
  const bytes = randomBytes(8 << 20);
  fs.writeFileSync(source, bytes);

  // Bytes [1 MiB + 3, 5 MiB) of source become target: the Node streams keep the channels' back-pressure.
  const start = (1 << 20) + 3;
  const stop = 5 << 20;
  await pipeline(toReadable(readFileRange(source, start, stop)), toWritable(writeFile(target)));
  const sha = (data) => createHash('sha256').update(data).digest('hex');
  const same = sha(fs.readFileSync(target)) === sha(bytes.subarray(start, stop));
  console.log(`copied bytes ${start} to ${stop} of an 8 MiB file through pipeline(): ${stop - start} bytes, ${same ? 'identical to the range' : 'DIFFERENT from the range'}`);

  // updateFile overwrites in place: the file keeps its length.
  const patch = updateFile(target, 0, 5);
  await patch.send('HELLO');
  await patch.end();
  const after = fs.readFileSync(target);
  console.log(`updateFile wrote 5 bytes in place at offset 0: the copy now starts with ${after.subarray(0, 5)} and is still ${after.length} bytes long`);
  if (!same || after.length !== stop - start) process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
