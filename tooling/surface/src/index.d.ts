/** The repository root. */
export declare const root: string;
/** A published package of the workspace: its directory and its package.json. */
export interface PublicPackage {
  dir: string;
  manifest: { name: string; private?: boolean; exports?: Record<string, unknown>; types?: string; [key: string]: unknown };
}
/** Every package of the workspace that is not private, sorted by name. */
export declare function publicPackages(): PublicPackage[];
/** The declaration file of the package's "." export. */
export declare function typesEntry(dir: string, manifest: PublicPackage['manifest']): string;
/** Every name the declaration file exports, sorted. */
export declare function declaredExports(file: string): string[];
/** One entry of a README's API section. */
export interface ApiEntry {
  line: number;
  text: string;
  span: string;
  name: string;
}
/** The identifiers in code spans of a README's API section, and its entries. */
export declare function readmeApi(markdown: string): { words: Set<string>; entries: ApiEntry[] };
/** The export an entry's code span names. */
export declare function namedExport(span: string): string;
