// The benchmark's site written by hand with node:fs, what `x run` of a careful TypeScript function
// does without @x/ops: the same checks, and the same writes (a file replaced whole through a
// temporary file, flushed, then renamed over it, then the directory flushed so that the rename is
// durable, as @x/ops's writes are). Gives how many of the 9 tasks changed something.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { siteFiles, siteLines, siteRoot } from './spec.js';

const run = promisify(execFile);

async function statOrNone(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function directory(path: string, mode: number): Promise<boolean> {
  const found = await statOrNone(path);
  if (found === undefined) {
    await mkdir(path, { mode });
    await chmod(path, mode);
    return true;
  }
  if (!found.isDirectory()) throw new Error(`${path} is not a directory`);
  if ((found.mode & 0o7777) === mode) return false;
  await chmod(path, mode);
  return true;
}

async function replace(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.chmod(mode);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary);
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  // The rename is durable once the directory is flushed too, as @x/ops's writes are.
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

async function file(path: string, content: string, mode: number): Promise<boolean> {
  const found = await statOrNone(path);
  if (found !== undefined && found.size === Buffer.byteLength(content) && (await readFile(path, 'utf8')) === content) {
    if ((found.mode & 0o7777) === mode) return false;
    await chmod(path, mode);
    return true;
  }
  await replace(path, content, mode);
  return true;
}

async function line(path: string, text: string, match: RegExp): Promise<boolean> {
  const before = await readFile(path, 'utf8');
  const lines = before.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const at = lines.findLastIndex((candidate) => match.test(candidate));
  if (at >= 0 && lines[at] === text) return false;
  if (at >= 0) lines[at] = text;
  else lines.push(text);
  await replace(path, `${lines.join('\n')}\n`, (await stat(path)).mode & 0o7777);
  return true;
}

export async function site(): Promise<number> {
  const root = siteRoot();
  let changed = Number(await directory(`${root}/app`, 0o755));
  for (const [name, content] of Object.entries(siteFiles)) changed += Number(await file(`${root}/app/${name}`, content, 0o644));
  for (const { line: text, match } of siteLines) changed += Number(await line(`${root}/hosts`, text, match));
  if ((await statOrNone(`${root}/app/installed`)) === undefined) {
    await run('touch', [`${root}/app/installed`]);
    changed += 1;
  }
  return changed;
}
