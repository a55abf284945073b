// File channels: whole files, ranges, and the three ways to write (replace, append, overwrite in place).
import * as fs from 'node:fs';
import { KInput, KLimit, type InputOptions } from './input.js';
import { KOutput, type OutputOptions } from './output.js';
import { InvalidArgumentError, KernelError, checkInteger } from './errors.js';

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('path', 'a non-empty string', path);
  return path;
}

function open(path: string, flags: number, what: string): number {
  try {
    return fs.openSync(path, flags, 0o666);
  } catch (error) {
    throw KernelError.from(error, `${what} ${JSON.stringify(path)}`, 'open');
  }
}

/** Reads a whole file, from its first byte to its end (what it holds as the reads reach it). */
export function openReadFile(path: string, options?: InputOptions): KInput {
  checkPath(path);
  const fd = open(path, fs.constants.O_RDONLY, 'readFile');
  return guard(fd, () => new KInput({ fd, kind: 'file', position: 0, what: path }, options));
}

/** Reads bytes [start, stop) of a file. */
export function openReadFileRange(path: string, start: number, stop: number, options?: InputOptions): KLimit {
  checkPath(path);
  checkInteger('start', start, 0);
  checkInteger('stop', stop, 0);
  if (start > stop) throw new InvalidArgumentError('start', `at most stop (${stop})`, start);
  const fd = open(path, fs.constants.O_RDONLY, 'readFileRange');
  return guard(fd, () => new KLimit({ fd, kind: 'file', position: start, limit: stop - start, what: `${path} [${start}, ${stop})` }, options));
}

/** Creates or truncates a file and writes it from its start. */
export function openWriteFile(path: string, options?: OutputOptions): KOutput {
  checkPath(path);
  const { O_WRONLY, O_CREAT, O_TRUNC } = fs.constants;
  const fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 'writeFile');
  return guard(fd, () => new KOutput({ fd, kind: 'file', position: 0, what: path }, options));
}

/** Creates a file if needed and appends to it (O_APPEND: each write lands at the end, even with other writers). */
export function openAppendFile(path: string, options?: OutputOptions): KOutput {
  checkPath(path);
  const { O_WRONLY, O_CREAT, O_APPEND } = fs.constants;
  const fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 'appendFile');
  return guard(fd, () => new KOutput({ fd, kind: 'file', position: null, what: path }, options));
}

/**
 * Overwrites `size` bytes of an existing file in place from `offset`: no truncation, no append
 * (fault's update_file appended). Writing more than `size` bytes is refused.
 */
export function openUpdateFile(path: string, offset: number, size: number, options?: OutputOptions): KOutput {
  checkPath(path);
  checkInteger('offset', offset, 0);
  checkInteger('size', size, 0);
  const fd = open(path, fs.constants.O_WRONLY, 'updateFile');
  return guard(fd, () => new KOutput({ fd, kind: 'file', position: offset, capacity: size, what: `${path} @${offset}+${size}` }, options));
}

function guard<T>(fd: number, make: () => T): T {
  try {
    return make();
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}
