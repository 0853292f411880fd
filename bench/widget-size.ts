/**
 * Size of the widget bundles as a site downloads them: raw and gzip (level 9) bytes of each file
 * `rollup -c` writes to widget/dist (the IIFE for a <script> tag and the ES module; each holds
 * Preact, the SDK and the compiled CSS), against the budget of 25 kB gzip. Builds first when a
 * bundle is missing or older than the sources.
 *
 *   npx tsx bench/widget-size.ts      (or: npm run bench -- widget)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLES = ['widget/dist/sayso-widget.js', 'widget/dist/sayso-widget.mjs'];
const SOURCES = ['widget/src', 'widget/build', 'sdk/src', 'protocol/src', 'rollup.config.mjs'];
const BUDGET_GZIP = 25 * 1024;

const mtime = (path: string): number => {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => mtime(join(path, name))));
};

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export async function benchWidgetSize(): Promise<string[]> {
  const newestSource = Math.max(...SOURCES.map((s) => mtime(join(ROOT, s))));
  if (BUNDLES.some((b) => mtime(join(ROOT, b)) <= newestSource)) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/rollup/dist/bin/rollup'), '-c', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  }
  return BUNDLES.map((file) => {
    const code = readFileSync(join(ROOT, file));
    const gzip = gzipSync(code, { level: 9 }).length;
    const verdict = gzip <= BUDGET_GZIP ? `within the ${kB(BUDGET_GZIP)} budget` : `OVER the ${kB(BUDGET_GZIP)} budget`;
    return `widget size ${file}: ${code.length} B raw (${kB(code.length)}), ${gzip} B gzip (${kB(gzip)}), ${verdict}`;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchWidgetSize().then(
    (lines) => console.log(lines.join('\n')),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
