// @x/remote's source is layered (ARCHITECTURE.md, "@x/remote's layers"): each folder of src/ imports only
// from the folders below it, and no module imports itself through others. `import type` counts too: a
// type cycle is a design cycle. This test reads the imports from the source text, as tsc would see them.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useLeakCheck } from '@x/test-env';
import { describe, expect, it } from 'vitest';

useLeakCheck();

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/**
 * The layers, lowest first. A module may import from its own layer's folder and from lower layers; layers
 * on one row are siblings and import none of each other.
 */
const LAYERS: string[][] = [
  ['errors.ts'],
  ['wire'],
  ['routing'],
  ['calls'],
  ['modules', 'files', 'connect'],
  ['core'],
  ['router.ts'],
  ['index.ts'],
];

/** The layer entry (folder, or a top-level file) a module of src/ belongs to. */
function unitOf(file: string): string {
  const [first] = relative(SRC, file).split('/');
  return first!;
}

function rankOf(unit: string): number {
  const rank = LAYERS.findIndex((row) => row.includes(unit));
  if (rank < 0) throw new Error(`src/${unit} is in no layer: add it to LAYERS here and to ARCHITECTURE.md's table`);
  return rank;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Relative imports of `file`, type-only included: `import ... from`, `export ... from`, `import '...'`.
 * (src/ has no relative `import()`: the modules shipped on demand are located by URL, see tsup.config.ts.)
 */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^'";]*?\sfrom\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm)) {
    const specifier = match[1] ?? match[2]!;
    found.add(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
  }
  return [...found];
}

const files = sources(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cycles(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!graph.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(relative(SRC, member));
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.includes(file)) found.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

describe('the layers of src/', () => {
  it('reads every module and finds the imports it resolves', () => {
    expect(files.length).toBeGreaterThan(40);
    const unresolved = [...graph].flatMap(([file, targets]) => targets.filter((target) => !graph.has(target)).map((target) => `${relative(SRC, file)} -> ${relative(SRC, target)}`));
    expect(unresolved).toEqual([]);
  });

  it('puts every module in a layer', () => {
    for (const file of files) expect(() => rankOf(unitOf(file)), relative(SRC, file)).not.toThrow();
  });

  it('has no import cycle, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('imports only from the same folder or a lower layer', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const unit = unitOf(file);
      for (const target of targets) {
        const targetUnit = unitOf(target);
        if (targetUnit === unit && unit.endsWith('.ts') === false) continue;
        if (rankOf(targetUnit) >= rankOf(unit)) upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds an upward import and a cycle when there is one', () => {
    // The checks above pass on the real tree; this makes sure they would see a violation at all.
    const calls = join(SRC, 'calls/context.ts');
    const router = join(SRC, 'router.ts');
    const saved = graph.get(calls)!;
    graph.set(calls, [...saved, router]);
    try {
      expect(rankOf(unitOf(router))).toBeGreaterThan(rankOf(unitOf(calls)));
      expect(cycles().some((component) => component.includes('calls/context.ts'))).toBe(true);
    } finally {
      graph.set(calls, saved);
    }
  });
});
