import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // the root export and the `amanuensis/advanced` subpath export
    entry: { index: 'src/index.ts', advanced: 'src/advanced.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // both entries share one copy of every module, in CommonJS too: one AmanuensisError class
    // (instanceof holds across the two) and one native addon cache
    splitting: true,
    // import.meta.url in the CommonJS build (the native binding locates the package with it)
    shims: true,
    // env-paths is ESM only: bundled, so that the CommonJS build can require() on every Node 20
    noExternal: ['env-paths'],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
]);
