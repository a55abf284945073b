import * as fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// @x/ops runs inside a target's context (x apply ships its modules there), so it may import only what
// travels: node: builtins and its own modules; no @x/native, @x/process or @x/remote (../shared/DESIGN.md).

const src = path.join(import.meta.dirname, '..', 'src');

function modules(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? modules(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('@x/ops sources', () => {
  it('import only node: builtins and each other', () => {
    const outside: string[] = [];
    for (const file of modules(src)) {
      // Without comments: doc examples import @x/ops itself.
      const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      for (const [, specifier] of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+'([^']+)'/g)) {
        if (!specifier!.startsWith('node:') && !specifier!.startsWith('./') && !specifier!.startsWith('../')) outside.push(`${path.relative(src, file)}: ${specifier}`);
      }
      for (const [, specifier] of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) outside.push(`${path.relative(src, file)}: import('${specifier}')`);
    }
    expect(outside).toEqual([]);
  });

  it('declare no runtime dependencies', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(src, '..', 'package.json'), 'utf8')) as { dependencies?: object };
    expect(manifest.dependencies ?? {}).toEqual({});
  });
});
