// @x/remote's file transfers between this process and two local contexts (Node child processes started
// as ssh would start them; over ssh or sudo the calls are the same): a file pushed to both, a directory
// tree, a fetch back, streams both ways, and the FileError a destination that cannot be written gives.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileError, Router } from '@x/remote';

const dir = mkdtempSync(join(tmpdir(), 'x-remote-copy-'));
const router = new Router({ logPrinter: false });
try {
  // 6 MiB: more than one 4 MiB window, so the sender waits for acknowledgements on the way.
  const release = Buffer.alloc(6 * 1024 * 1024);
  for (let k = 0; k < release.length; k++) release[k] = (k * 31 + (k >> 12)) & 0xff;
  writeFileSync(join(dir, 'release.bin'), release, { mode: 0o640 });
  const sha256 = createHash('sha256').update(release).digest('hex');

  const contexts = await Promise.all(['web-1', 'web-2'].map((name) => router.local({ name })));
  for (const ctx of contexts) mkdirSync(join(dir, ctx.name));

  // The same file to both contexts at once: each written beside its target, checked, then renamed.
  // Checked by xxh3-128 unless asked otherwise; sha256 here, to compare with the digest above.
  const pushed = await Promise.all(contexts.map((ctx) => ctx.pushFile(join(dir, 'release.bin'), join(dir, ctx.name, 'release.bin'), { checksum: 'sha256' })));
  for (const [k, result] of pushed.entries()) {
    const there = join(dir, contexts[k].name, 'release.bin');
    console.log(`pushFile to ${contexts[k].name}: ${result.bytes} bytes, sha256 ${result.digest === sha256 ? 'matches' : 'DIFFERS FROM'} the source's, mode ${(statSync(there).mode & 0o777).toString(8)} kept`);
  }

  // A tree: files with their modes, symlinks as links.
  mkdirSync(join(dir, 'site', 'css'), { recursive: true });
  writeFileSync(join(dir, 'site', 'index.html'), '<h1>hello</h1>\n');
  writeFileSync(join(dir, 'site', 'css', 'main.css'), 'h1 { color: teal }\n');
  symlinkSync('index.html', join(dir, 'site', 'home.html'));
  const [web1] = contexts;
  const tree = await web1.pushDirectory(join(dir, 'site'), join(dir, 'web-1', 'site'));
  console.log(`pushDirectory: ${tree.files} files, ${tree.directories} directories, ${tree.symlinks} symlink, ${tree.bytes} bytes`);

  // Back from the context, and streams: openWrite's bytes become the file only once it ends.
  const back = await web1.fetchFile(join(dir, 'web-1', 'release.bin'), join(dir, 'fetched.bin'));
  console.log(`fetchFile: ${back.bytes} bytes back, identical: ${readFileSync(join(dir, 'fetched.bin')).equals(release)}`);
  const writer = web1.openWrite(join(dir, 'web-1', 'report.txt'), { mode: 0o600 });
  writer.write('line 1\n');
  writer.end('line 2\n');
  const written = await writer.result;
  let read = '';
  for await (const chunk of web1.openRead(join(dir, 'web-1', 'report.txt'))) read += chunk;
  console.log(`openWrite then openRead: ${written.bytes} bytes, read back as ${JSON.stringify(read)}`);

  // A destination whose parent is a file: the context's error, with Node's fields, naming where it failed.
  writeFileSync(join(dir, 'not-a-dir'), '');
  try {
    await web1.pushFile(join(dir, 'release.bin'), join(dir, 'not-a-dir', 'release.bin'));
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    console.log(`FileError ${error.code} (syscall ${error.syscall}) in context ${error.context} for ${error.path.slice(dir.length + 1)}`);
  }
  try {
    await web1.pushFile(join(dir, 'release.bin'), join(dir, 'web-1', 'release.bin'), { overwrite: false });
  } catch (error) {
    if (!(error instanceof FileError)) throw error;
    const untouched = readFileSync(join(dir, 'web-1', 'release.bin')).equals(release);
    console.log(`overwrite: false on an existing file: FileError ${error.code}; the file there is untouched: ${untouched}`);
  }
  await Promise.all(contexts.map((ctx) => ctx.shutdown()));
} finally {
  await router.close();
  rmSync(dir, { recursive: true, force: true });
}
