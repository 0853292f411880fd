// `npm run build:bundles` (`rollup -c`): the SDK and the widget bundles. Type declarations come from tsc
// (`npm run build:types -w @sayso/sdk`), which the root build script runs after this.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import { inlineCss } from './widget/build/inline-css.mjs';
import { homeBundle } from './widget/scripts/home-build.mjs';

// Paths from this file, so `rollup -c ../rollup.config.mjs` works from a workspace folder too.
const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** The SDK's capture worklet beside the widget bundles: the WebSocket fallback loads it from there. */
const workletAsset = () => ({
  name: 'sayso-worklet-asset',
  async generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'pcm-worklet.js', source: await readFile(here('sdk/src/voice/pcm-worklet.js'), 'utf8') });
  },
});

/**
 * <sayso-widget> as `format`: Preact, the SDK and the compiled CSS in one minified file.
 * @returns {import('rollup').RollupOptions}
 */
const widgetBundle = (input, file, format) => ({
  input: here(input),
  output: { file: here(file), format, sourcemap: true },
  plugins: [
    inlineCss(),
    nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
    esbuild({ target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact', tsconfig: here('widget/tsconfig.json') }),
    terser({ ecma: 2020, module: format === 'es', compress: { passes: 2 }, format: { comments: false } }),
    workletAsset(),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`widget bundle: ${warning.message}`);
    warn(warning);
  },
});

/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    // @sayso/sdk as one ESM file for browsers and Node 20+. Nothing is external: @sayso/protocol
    // (types and a few constants) is bundled in, so the output needs nothing from this monorepo.
    input: here('sdk/src/index.ts'),
    output: { file: here('sdk/dist/index.js'), format: 'es', sourcemap: true },
    // The capture worklet ships beside it: VoiceSession loads it by URL (CSP- and MV3-safe).
    plugins: [nodeResolve({ extensions: ['.ts', '.js'] }), esbuild({ target: 'es2022', tsconfig: here('sdk/tsconfig.build.json') }), workletAsset()],
    onwarn(warning, warn) {
      // A bundle that quietly leaves an import unresolved would need the monorepo at run time.
      if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`sdk bundle: ${warning.message}`);
      warn(warning);
    },
  },
  // One <script> tag: `<script src=".../sayso-widget.js" defer></script>` defines <sayso-widget>.
  widgetBundle('widget/src/embed.ts', 'widget/dist/sayso-widget.js', 'iife'),
  // `import { registerWidget } from '.../sayso-widget.mjs'`.
  widgetBundle('widget/src/index.ts', 'widget/dist/sayso-widget.mjs', 'es'),
  // The home page at `/`: widget/dist/home.js, home.css and index.html.
  homeBundle,
];
