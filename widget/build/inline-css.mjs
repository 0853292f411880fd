// Rollup plugin: `import css from './styles.css'` gives the compiled Tailwind v4 CSS as a string,
// which the widget attaches to its shadow root with adoptedStyleSheets.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import tailwind from '@tailwindcss/postcss';
import postcss from 'postcss';

/**
 * Chromium ignores `@property` inside shadow roots, so the `--tw-*` defaults Tailwind registers
 * there never apply and `shadow-*`/`ring-*` collapse. Tailwind ships the same defaults as a
 * fallback for old browsers (`@layer properties { @supports (...) { *, ... { --tw-...: ... } } }`):
 * unwrap it so it always applies, add `:host`, and drop the `@property` rules. It stays in the
 * `properties` layer, which comes first, so utilities still override it.
 */
const shadowRootProperties = {
  postcssPlugin: 'sayso-shadow-root-properties',
  OnceExit(root) {
    root.walkAtRules('property', (rule) => void rule.remove());
    root.walkAtRules('layer', (layer) => {
      if (layer.params !== 'properties' || !layer.nodes) return;
      layer.walkAtRules('supports', (supports) => void supports.replaceWith(supports.nodes ?? []));
      layer.walkRules((rule) => {
        if (rule.selector.includes('*')) rule.selector = `:host, ${rule.selector}`;
      });
    });
  },
};

/** @returns {import('rollup').Plugin} */
export function inlineCss({ minify = true } = {}) {
  return {
    name: 'sayso-inline-css',
    async load(id) {
      if (!id.endsWith('.css')) return null;
      const source = await readFile(id, 'utf8');
      const result = await postcss([
        // `base`: where Tailwind looks for class names (the widget's sources, next to the CSS).
        tailwind({ base: path.dirname(id), optimize: minify ? { minify: true } : false }),
        shadowRootProperties,
      ]).process(source, { from: id });
      for (const message of result.messages) {
        if (message.type === 'dependency') this.addWatchFile(message.file);
      }
      // Tailwind's licence banner stays in the CSS; the JS bundle keeps it once via terser's comments.
      return { code: `export default ${JSON.stringify(result.css)};`, map: { mappings: '' } };
    },
  };
}
