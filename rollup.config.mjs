// `npm run build`: bundles the publishable packages. Type declarations come from tsc
// (`npm run build:types -w @sayso/sdk`), which the root build script runs after this.
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import esbuild from 'rollup-plugin-esbuild';

// Paths from this file, so `rollup -c ../rollup.config.mjs` works from a workspace folder too.
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    // @sayso/sdk as one ESM file for browsers and Node 20+. Nothing is external: @sayso/protocol
    // (types and a few constants) is bundled in, so the output needs nothing from this monorepo.
    input: here('sdk/src/index.ts'),
    output: { file: here('sdk/dist/index.js'), format: 'es', sourcemap: true },
    plugins: [nodeResolve({ extensions: ['.ts', '.js'] }), esbuild({ target: 'es2022', tsconfig: here('sdk/tsconfig.build.json') })],
    onwarn(warning, warn) {
      // A bundle that quietly leaves an import unresolved would need the monorepo at run time.
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`sdk bundle: ${warning.message}`);
      warn(warning);
    },
  },
];
