import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredExports, namedExport, publicPackages, readmeApi, typesEntry } from '../src/index.js';

// Each published package's README documents exactly what its types entry exports (README.md beside
// src/ gives the convention), so the two cannot drift apart.
describe('README API sections', () => {
  for (const { dir, manifest } of publicPackages()) {
    const types = typesEntry(dir, manifest);
    const readme = path.join(dir, 'README.md');
    const ready = fs.existsSync(types) && fs.existsSync(readme);
    it.skipIf(!ready)(`${manifest.name}: every export is named in the API section and every entry there is exported`, () => {
      const exported = declaredExports(types);
      const api = readmeApi(fs.readFileSync(readme, 'utf8'));
      const undocumented = exported.filter((name) => !api.words.has(name));
      const unexported = api.entries.filter((entry) => !exported.includes(entry.name)).map((e) => `README.md:${e.line} \`${e.span}\``);
      expect({ undocumented, unexported }, `${manifest.name}: write each undocumented export in a code span under ## API (or ## Errors); remove or rename each unexported entry`).toEqual({ undocumented: [], unexported: [] });
    });
  }
});

describe('readmeApi()', () => {
  const markdown = [
    '# @x/example',
    '`notApi` is outside the section.',
    '## API',
    '### `new Thing(options?)` and `thing.close()`',
    '- `helper(a, b)`: does it; see `other`.',
    '  - `nested`: a member, not an entry.',
    '| option | meaning |',
    '|---|---|',
    '| `capacity` | an option, not an export |',
    '',
    '| export | what |',
    '|---|---|',
    '| `maker(x)`, `second` | makes |',
    '## Errors',
    '| class | code |',
    '|---|---|',
    '| `ThingError` (a `TypeError`) | `ERR_X_THING` |',
    '## Benchmarks',
    '- `notAnEntry()` after the section.',
  ].join('\n');

  it('takes the first code span of headings, top-level list items and rows of export tables as entries', () => {
    expect(readmeApi(markdown).entries.map((e) => e.name)).toEqual(['Thing', 'helper', 'maker', 'ThingError']);
  });

  it('collects every identifier in a code span of the API and Errors sections, and none outside them', () => {
    const { words } = readmeApi(markdown);
    for (const word of ['Thing', 'thing', 'close', 'other', 'nested', 'capacity', 'second', 'TypeError', 'ERR_X_THING']) expect(words).toContain(word);
    expect(words).not.toContain('notApi');
    expect(words).not.toContain('notAnEntry');
  });

  it('reads an instance member as its class and a static member as its owner', () => {
    expect(['latch.put(value)', 'scheduler[Symbol.dispose]()', 'Latch.from<T>(handle)', 'new Latch<T>()', 'spawn(fn)'].map(namedExport)).toEqual([
      'Latch',
      'Scheduler',
      'Latch',
      'Latch',
      'spawn',
    ]);
  });
});
