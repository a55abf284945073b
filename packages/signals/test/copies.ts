import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = fileURLToPath(new URL('../../../native/', import.meta.url));

/**
 * Copies the built package (dist/) to a new directory inside this package, so that a second copy
 * loads from another path and still resolves its dependencies. Returns the copy's module URL.
 */
export function copyPackage(): { url: string; remove(): void } {
  const dir = mkdtempSync(join(packageDir, '.copy-'));
  cpSync(join(packageDir, 'dist'), dir, { recursive: true });
  return { url: pathToFileURL(join(dir, 'index.js')).href, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A copy of the package whose @x/native has never been built: its own node_modules holds the addon's
 * loader and sources but no binary, as after an install with the build step skipped.
 */
export function copyPackageWithoutAddon(): { url: string; nativeDir: string; remove(): void } {
  const root = mkdtempSync(join(packageDir, '.copy-'));
  const native = join(root, 'node_modules', '@x', 'native');
  mkdirSync(native, { recursive: true });
  for (const file of ['package.json', 'index.cjs', 'loader.cjs', 'index.d.ts', 'binding.gyp', 'src']) {
    cpSync(join(nativeDir, file), join(native, file), { recursive: true });
  }
  cpSync(join(nativeDir, 'node_modules', 'node-gyp-build'), join(root, 'node_modules', 'node-gyp-build'), {
    recursive: true,
    dereference: true,
  });
  const pkg = join(root, 'pkg');
  cpSync(join(packageDir, 'dist'), pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ type: 'module' }));
  return {
    url: pathToFileURL(join(pkg, 'index.js')).href,
    nativeDir: native,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
