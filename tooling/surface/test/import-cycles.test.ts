import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importCycles } from '../src/cycles.js';
import { publicPackages } from '../src/index.js';

describe('import cycles', () => {
  for (const { dir, manifest } of publicPackages()) {
    const src = path.join(dir, 'src');
    it.skipIf(!fs.existsSync(src))(`${manifest.name}: no module imports, at run time, one that imports it back`, () => {
      expect(importCycles(src), `${manifest.name}: move what both sides need into a module of its own`).toEqual([]);
    });
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'x-cycles-'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const write = (name: string, text: string) => fs.writeFileSync(path.join(scratch, name), text);

  it('finds a cycle through a value import and ignores one closed only by type imports', () => {
    write('a.ts', "import { b } from './b.js';\nexport const a = () => b;\n");
    write('b.ts', "import { c } from './c.js';\nexport const b = c;\n");
    write('c.ts', "import type { a } from './a.js';\nimport { type a as A2 } from './a.js';\nexport const c = 1;\n");
    expect(importCycles(scratch)).toEqual([]);
    write('c.ts', "export { a } from './a.js';\nexport const c = 1;\n");
    expect(importCycles(scratch)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });
});
