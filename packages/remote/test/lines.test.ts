import { PassThrough } from 'node:stream';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';
import { LineSplitter, readLines } from '../src/wire/lines.js';

useLeakCheck();

function split(chunks: (string | Buffer)[], maxLine = 1024): { lines: string[]; partial: string } {
  const lines: string[] = [];
  const splitter = new LineSplitter(maxLine, (line) => lines.push(line.toString('utf8')));
  for (const chunk of chunks) splitter.push(chunk);
  const partial = splitter.partial.toString('utf8');
  splitter.end();
  return { lines, partial };
}

describe('LineSplitter', () => {
  it('hands over each line without its newline or a carriage return before it, across chunks', () => {
    expect(split(['one\ntw', 'o\r\nthree\n\n'])).toEqual({ lines: ['one', 'two', 'three', ''], partial: '' });
  });

  it('keeps a lone carriage return inside a line', () => {
    expect(split(['10%\r20%\r30%\n']).lines).toEqual(['10%\r20%\r30%']);
  });

  it('joins a UTF-8 character cut between chunks', () => {
    const bytes = Buffer.from('naïve €\n');
    expect(split([bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)]).lines).toEqual(['naïve €']);
  });

  it('keeps the partial line (a prompt) until end, and hands over bytes that reach maxLine without a newline', () => {
    expect(split(['a\nPassword: '])).toEqual({ lines: ['a', 'Password: '], partial: 'Password: ' });
    expect(split(['x'.repeat(10), 'y'.repeat(10)], 15).lines).toEqual(['x'.repeat(10) + 'y'.repeat(10)]);
  });
});

describe('readLines', () => {
  it('pauses the stream while the promise onLine returns is pending, and resumes after', async () => {
    const input = new PassThrough();
    const seen: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    readLines(input, 1024, (line) => {
      seen.push(line.toString());
      return seen.length === 1 ? held : undefined;
    });
    input.write('first\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(input.isPaused()).toBe(true);
    input.end('second\nlast');
    release();
    await new Promise((resolve) => input.once('end', resolve));
    expect(seen).toEqual(['first', 'second', 'last']);
  });
});
