/** The relative modules a TypeScript file imports or re-exports at run time (type-only imports left out). */
export declare function runtimeImports(file: string): string[];
/** Each run-time import cycle among the .ts modules under `dir`, as paths relative to it, first repeated last. */
export declare function importCycles(dir: string): string[][];
