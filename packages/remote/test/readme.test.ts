// The README describes the wire as the code defines it: the frame table is frame.ts's own, the handle
// table lists exactly the fixed handles of handles.ts, and the Files section gives transfer.ts's sizes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HEADER_SIZE } from '../src/wire/frame.js';
import * as handles from '../src/routing/handles.js';
import { AUTHORITY, type MessageKind } from '../src/routing/authority.js';
import { CHUNK_SIZE, WINDOW_SIZE } from '../src/files/transfer.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The lines of the first markdown table whose header row starts with `firstHeader`. */
function table(text: string, firstHeader: RegExp): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => firstHeader.test(line));
  if (start < 0) return [];
  const end = lines.findIndex((line, k) => k > start && !line.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('README', () => {
  it("shows frame.ts's frame table and header size", () => {
    const source = readFileSync(new URL('../src/wire/frame.ts', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(' * |'))
      .map((line) => line.slice(3));
    expect(source.length).toBeGreaterThan(10);
    expect(table(readme, /^\| offset \| size \| field/)).toEqual(source);
    expect(readme).toContain(`${HEADER_SIZE}-byte header`);
  });

  it("gives transfer.ts's frame and window sizes in the Files section", () => {
    expect(readme).toContain(`raw frames of ${CHUNK_SIZE / 1024} KiB, at most ${WINDOW_SIZE / 1024 / 1024} MiB unacknowledged per transfer`);
  });

  it('lists every fixed handle of handles.ts with its number, and no other', () => {
    const fixed = Object.entries(handles)
      .filter(([name, value]) => typeof value === 'number' && /^[A-Z_]+$/.test(name) && name !== 'FIRST_DYNAMIC' && name !== 'ROOT_ID')
      .map(([name, value]) => `${value} ${name}`)
      .sort();
    const rows = table(readme, /^\| handle \| name \|/)
      .slice(2)
      .map((row) => {
        const [, value, name] = /^\| (\d+) \| `([A-Z_]+)` \|/.exec(row) ?? [];
        return `${value} ${name}`;
      })
      .sort();
    expect(rows).toEqual(fixed);
    expect(readme).toContain(`Handles from ${handles.FIRST_DYNAMIC} up`);
  });

  it("gives each fixed handle's sender as the authority table has it, and names every row of the table", () => {
    const said = new Map<string, string>();
    for (const row of table(readme, /^\| handle \| name \|/).slice(2)) {
      const [, kind, who] = /^\| \d+ \| `[A-Z_]+` \| `([a-z-]+)` \| ([a-z]+)/.exec(row) ?? [];
      if (kind !== undefined) said.set(kind, who!);
    }
    const dynamic = Object.keys(AUTHORITY).filter((kind) => !said.has(kind));
    for (const [kind, who] of said) expect(`${kind} ${who}`).toBe(`${kind} ${AUTHORITY[kind as MessageKind]}`);
    for (const kind of dynamic) {
      expect(AUTHORITY[kind as MessageKind]).toBe('peers');
      expect(readme).toContain(`\`${kind}\`: only`);
    }
  });
});
