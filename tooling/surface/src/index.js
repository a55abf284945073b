// What x publishes, read the way a user meets it: the workspace's public packages, the names each one's
// types entry exports, and the names its README's API section documents.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root (this file is tooling/surface/src/index.js). */
export const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Every package of the workspace that is published (not `private`), found from pnpm-workspace.yaml's
 * globs, so a new package is checked without being listed anywhere.
 */
export function publicPackages() {
  const workspace = fs.readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8');
  const globs = [];
  for (const line of workspace.split('\n').slice(workspace.split('\n').indexOf('packages:') + 1)) {
    const match = /^\s+-\s+['"]?([^'"]+)['"]?\s*$/.exec(line);
    if (!match) break;
    globs.push(match[1]);
  }
  const dirs = globs.flatMap((glob) => {
    if (!glob.endsWith('/*')) return [path.join(root, glob)];
    const parent = path.join(root, glob.slice(0, -2));
    return fs.readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(parent, d.name));
  });
  return dirs
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The path of the declaration file that the package's main entry publishes. */
export function typesEntry(dir, manifest) {
  const main = manifest.exports?.['.'];
  const types = typeof main === 'object' ? main.types : manifest.types;
  if (typeof types !== 'string') throw new Error(`${manifest.name}: package.json names no types for its "." export.`);
  return path.join(dir, types);
}

/** Every name (value or type) the declaration file exports, sorted. */
export function declaredExports(file) {
  // noLib, noResolve: only this file's own export list matters, not what it refers to or re-exports.
  const program = ts.createProgram([file], { noEmit: true, noLib: true, noResolve: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`${file} is not a module: it exports nothing.`);
  return checker.getExportsOfModule(symbol).map((s) => s.name).sort();
}

// Tables whose rows each document one export: their header's first column is one of these words.
const entryTables = new Set(['export', 'function', 'class', 'type', 'namespace']);

/**
 * The API section of a README: the `## API` and `## Errors` sections with their subsections. Returns
 * every identifier written in a code span there (`words`), and its entries: the first code span of
 * each `###` heading, of each top-level list item that starts with one, and of each first cell of a
 * table listing exports. An entry is reduced to the export it names (see README.md beside this file).
 */
export function readmeApi(markdown) {
  const words = new Set();
  const entries = [];
  let inApi = false;
  let table = null;
  markdown.split('\n').forEach((line, index) => {
    const heading = /^(#{2,})\s+(.*)$/.exec(line);
    if (heading && heading[1] === '##') inApi = /^(API|Errors)\b/.test(heading[2]);
    if (!inApi) return;
    const spans = [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    for (const span of spans) for (const word of span.match(/[A-Za-z_$][\w$]*/g) ?? []) words.add(word);
    const at = { line: index + 1, text: line.trim() };
    if (heading && heading[1] === '###') {
      if (spans.length > 0) entries.push({ ...at, span: spans[0] });
      return;
    }
    if (/^[-*]\s+(\*\*)?`/.test(line)) {
      entries.push({ ...at, span: spans[0] });
      return;
    }
    if (line.startsWith('|')) {
      const first = line.split(/(?<!\\)\|/)[1]?.trim() ?? '';
      if (table === null) table = entryTables.has(first.toLowerCase());
      else if (table && !/^:?-+:?$/.test(first)) {
        const span = /`([^`]+)`/.exec(first);
        if (span) entries.push({ ...at, span: span[1] });
      }
      return;
    }
    table = null;
  });
  return { words, entries: entries.map((entry) => ({ ...entry, name: namedExport(entry.span) })) };
}

/**
 * The export an entry names: `spawn(fn)` and `new Latch<T>()` name themselves, `Latch.from()` names
 * Latch, and `latch.put()` or `latch[Symbol.dispose]()` (an instance's member) names the class `Latch`.
 */
export function namedExport(span) {
  const match = /^(?:new\s+)?([A-Za-z_$][\w$]*)([.[])?/.exec(span.trim());
  if (!match) return span;
  const [, name, member] = match;
  return member && /^[a-z]/.test(name) ? name[0].toUpperCase() + name.slice(1) : name;
}
