// The tsup options every package builds with (CONVENTIONS.md): one ESM entry with types, for Node 20.
export default {
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
};
