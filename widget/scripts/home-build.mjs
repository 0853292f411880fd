// Rollup options for the home page served at `/` (widget/src/home): the Preact app as
// widget/dist/home.js, its Tailwind CSS as widget/dist/home.css and the HTML shell as
// widget/dist/index.html, which names both with a content hash (`home.js?v=...`) so a new build is
// never mixed with a cached old one.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import tailwind from '@tailwindcss/postcss';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import postcss from 'postcss';
import esbuild from 'rollup-plugin-esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const HOME = here('../src/home/');
const short = (text) => createHash('sha256').update(text).digest('hex').slice(0, 10);

/** Emits home.css (Tailwind over the home sources) and index.html next to the bundle. */
function homeAssets() {
  return {
    name: 'sayso-home-assets',
    buildStart() {
      this.addWatchFile(`${HOME}home.css`);
      this.addWatchFile(`${HOME}index.html`);
    },
    async generateBundle(_options, bundle) {
      const cssFile = `${HOME}home.css`;
      const { css } = await postcss([tailwind({ base: HOME, optimize: { minify: true } })]).process(await readFile(cssFile, 'utf8'), {
        from: cssFile,
      });
      this.emitFile({ type: 'asset', fileName: 'home.css', source: css });
      const js = Object.values(bundle).find((c) => c.type === 'chunk' && c.fileName === 'home.js');
      const html = (await readFile(`${HOME}index.html`, 'utf8'))
        .replace('href="home.css"', `href="home.css?v=${short(css)}"`)
        .replace('src="home.js"', `src="home.js?v=${short(js?.code ?? '')}"`);
      this.emitFile({ type: 'asset', fileName: 'index.html', source: html });
    },
  };
}

/** @type {import('rollup').RollupOptions} */
export const homeBundle = {
  input: `${HOME}main.tsx`,
  output: { file: here('../dist/home.js'), format: 'es', sourcemap: true },
  plugins: [
    nodeResolve({ browser: true, extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
    esbuild({ target: 'es2022', tsconfig: `${HOME}tsconfig.json`, minify: true }),
    homeAssets(),
  ],
  onwarn(warning, warn) {
    if (warning.code === 'UNRESOLVED_IMPORT') throw new Error(`home bundle: ${warning.message}`);
    warn(warning);
  },
};

// `npx rollup -c widget/scripts/home-build.mjs` builds the home page alone.
export default homeBundle;
