import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { publicPackages, root, typesEntry } from '../src/index.js';

// stripInternal drops `@internal` declarations from the published types; a public declaration that still
// names one (a class that `implements` an internal interface, a public member of an internal type) would
// then not compile for users. So the published declarations are compiled here as a user's project would.
describe('published types', () => {
  it('compile without errors in a strict NodeNext project', { timeout: 120_000 }, () => {
    const files = publicPackages()
      .map(({ dir, manifest }) => typesEntry(dir, manifest))
      .filter((file) => fs.existsSync(file));
    expect(files.length).toBeGreaterThan(0);
    const program = ts.createProgram(files, {
      noEmit: true,
      strict: true,
      exactOptionalPropertyTypes: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules/@types')],
    });
    // Only our declarations are checked (what they refer to is read as needed): checking all of
    // @types/node as well would take most of a minute on a busy machine.
    const ours = program.getSourceFiles().filter((file) => !file.fileName.includes('/node_modules/') && !program.isSourceFileDefaultLibrary(file));
    const errors = [...program.getOptionsDiagnostics(), ...ours.flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)])]
      .map((d) => `${d.file ? path.relative(root, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    expect(errors).toEqual([]);
  });
});
