/**
 * What the parent may send a context that asks for a module by itself (a dynamic `import()`): module files, never
 * a dotfile, inside the directories it is allowed to serve, after symlinks are resolved. The graph of a module the
 * parent calls is the caller's own choice and is not checked here; a request from a context is, because a context
 * may be hostile and would otherwise read any file of the parent's user (`import('/home/me/.env')`).
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError } from '../errors.js';

/** The file types a context may import: what the module server transforms (`.tsx`/`.jsx` included) and JSON. */
export const MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.tsx', '.jsx', '.json'];

/** A directory files may be served from; under a `node_modules` one, pnpm's `.pnpm` store is not a dotfile. */
interface Area {
  dir: string;
  nodeModules: boolean;
}

/**
 * The directories a context may import from (each allowed root, and the `node_modules` directories Node searches
 * from inside it), with the checks a file passes before it is sent.
 */
export class ModuleRoots {
  readonly #lexical: Area[] = [];
  readonly #real: Area[] = [];

  /** @param roots absolute directory paths: what is under them may be served (a missing one allows nothing). */
  constructor(roots: Iterable<string>) {
    const seen = [new Set<string>(), new Set<string>()];
    const add = (real: boolean, dir: string, nodeModules: boolean): void => {
      const id = `${nodeModules ? 'm' : 'r'}${dir}`;
      if (seen[Number(real)]!.has(id)) return;
      seen[Number(real)]!.add(id);
      (real ? this.#real : this.#lexical).push({ dir, nodeModules });
    };
    for (const given of roots) {
      const root = path.resolve(given);
      const real = realpath(root);
      // A path a context names may reach the root through a symlink or not (its keys name files as the caller did).
      for (const dir of real === undefined || real === root ? [root] : [root, real]) {
        add(false, dir, false);
        if (real !== undefined) add(true, dir === root ? real : dir, false);
        // A bare import from inside the root may resolve into any ancestor's node_modules (npm hoists a workspace's
        // packages to its top; pnpm keeps every package in <workspace>/node_modules/.pnpm): Node searches them all.
        for (let ancestor = dir; ; ancestor = path.dirname(ancestor)) {
          const modules = path.join(ancestor, 'node_modules');
          add(false, modules, true);
          const realModules = realpath(modules);
          if (realModules !== undefined) add(true, realModules, true);
          if (path.dirname(ancestor) === ancestor) break;
        }
      }
    }
  }

  /**
   * Why the path a context named may not even be looked up (outside every root, or through a dotfile), before the
   * disk is touched: a refusal must not tell the context which files exist. Undefined when it may be looked up.
   */
  refusePath(file: string): string | undefined {
    if (file.includes('\0')) return 'the path contains a NUL byte';
    return placeIn(this.#lexical, path.resolve(file), 'it is outside the directories this parent serves to contexts');
  }

  /**
   * Why the file found for an import may not be sent, once it exists: not a module file type, a dotfile, or outside
   * every root after symlinks are resolved. `link` is, for a bare specifier, the package's directory in a
   * node_modules (as Node finds it, before symlinks): a package linked there (a workspace package) may live
   * anywhere, and its own files may then be served.
   */
  refuseFile(file: string, link?: string): string | undefined {
    const extension = path.extname(file);
    if (!MODULE_EXTENSIONS.includes(extension)) return `'${path.basename(file)}' is not a module file (${MODULE_EXTENSIONS.join(' ')})`;
    const real = realpath(file);
    if (real === undefined) return 'it cannot be read';
    if (!MODULE_EXTENSIONS.includes(path.extname(real))) return 'it is a symlink to a file that is not a module file';
    const areas = [...this.#real];
    if (link !== undefined && placeIn(this.#lexical, link, '') === undefined) {
      const linked = realpath(link);
      if (linked !== undefined) areas.push({ dir: linked, nodeModules: false });
    }
    return placeIn(areas, real, 'after symlinks are resolved, it is outside the directories this parent serves to contexts');
  }
}

/** Undefined when `file` is inside one of `areas` with no dotfile on the way; else why not (`outside` if outside all). */
function placeIn(areas: readonly Area[], file: string, outside: string): string | undefined {
  let hidden: string | undefined;
  for (const area of areas) {
    const relative = path.relative(area.dir, file);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) continue;
    const segment = hiddenSegment(relative.split(path.sep), area.nodeModules);
    if (segment === undefined) return undefined;
    hidden ??= `'${segment}' is a dotfile or lies in a dot directory, which is never served`;
  }
  return hidden ?? outside;
}

/**
 * The first segment that starts with a dot. pnpm's store, `node_modules/.pnpm`, is the one exception: every package
 * of a pnpm install really lives there, and it holds only packages (its lock file is not a module file).
 */
function hiddenSegment(segments: string[], inNodeModules: boolean): string | undefined {
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index]!;
    if (!segment.startsWith('.')) continue;
    const afterNodeModules = index === 0 ? inNodeModules : segments[index - 1] === 'node_modules';
    if (segment === '.pnpm' && afterNodeModules) continue;
    return segment;
  }
  return undefined;
}

/**
 * The package directory a bare `specifier` imported from `importer` is found in, the way Node looks for it: the
 * first `node_modules/<name>` from the importer's directory up. Undefined for what is not a package name.
 */
export function packageLink(specifier: string, importer: string): string | undefined {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  if (name === '' || name.startsWith('#') || name.startsWith('.') || (specifier.startsWith('@') && parts.length < 2)) return undefined;
  for (let dir = path.dirname(importer); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (statSync(candidate, { throwIfNoEntry: false })?.isDirectory()) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** The directory of the nearest package.json at or above `dir`; undefined when there is none. */
export function nearestPackage(dir: string): string | undefined {
  for (let current = dir; ; current = path.dirname(current)) {
    if (statSync(path.join(current, 'package.json'), { throwIfNoEntry: false })?.isFile()) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/**
 * The working directory's project: the nearest package.json directory above `cwd`, or `cwd` itself. The filesystem
 * root never counts, since it would allow every file; undefined then (and when the cwd is gone).
 */
export function projectOf(cwd: () => string = process.cwd): string | undefined {
  let dir: string;
  try {
    dir = cwd();
  } catch {
    return undefined;
  }
  const project = nearestPackage(dir) ?? dir;
  return path.dirname(project) === project ? undefined : project;
}

/**
 * Checks the `moduleRoots` option: absolute directory paths.
 * @throws InvalidArgumentError (ERR_X_INVALID_ARG) for anything else.
 */
export function checkModuleRoots(value: unknown): string[] {
  if (value === undefined) return [];
  const expected = 'an array of absolute directory paths';
  if (!Array.isArray(value)) throw new InvalidArgumentError('moduleRoots', expected, value);
  for (const root of value) {
    if (typeof root !== 'string' || !path.isAbsolute(root) || root.includes('\0')) throw new InvalidArgumentError('moduleRoots', expected, value);
  }
  return value.map((root: string) => path.resolve(root));
}

function realpath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}
