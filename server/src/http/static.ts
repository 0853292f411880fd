import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestHandler } from 'express';

/** The built home page and widget bundles (`npm run build:bundles`). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../../widget/dist/', import.meta.url));

/** Paths the gateway's own routes answer; a file in the folder never shadows them. */
const RESERVED = ['/v1', '/health', '/metrics', '/openapi.json', '/.well-known'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const MISSING_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sayso</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; line-height: 1.5">
<h1>Sayso is running</h1>
<p>The home page has not been built yet. Run <code>npm run build:bundles</code> in the repository, then reload this page.</p>
<p>The API is up: see <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
`;

/**
 * Serves the files of `root` (the home page at `/`, bundles under their names) for GET and HEAD.
 * Anything else falls through to the API and its JSON 404: unknown files, folders (no listing),
 * dotfiles, and any path with a `..` segment, so nothing outside `root` is ever read.
 * The page's CSP, nosniff and the other security headers come from `securityHeaders`, which
 * the app runs on every response before this.
 */
export function serveStatic(root: string = DEFAULT_STATIC_DIR): RequestHandler {
  const base = path.resolve(root);
  return async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (RESERVED.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    let decoded: string;
    try {
      decoded = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const segments = decoded.split(/[/\\]/).filter(Boolean);
    if (decoded.includes('\0') || segments.some((s) => s.startsWith('.'))) return next();
    const isHome = segments.length === 0;
    const file = path.resolve(base, ...(isHome ? ['index.html'] : segments));
    if (!file.startsWith(base + path.sep)) return next();

    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      if (isHome) return void res.status(200).type('html').setHeader('Cache-Control', 'no-store').send(MISSING_PAGE);
      return next();
    }
    const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    res.setHeader('Content-Type', type);
    // index.html names the bundles with their content hash (`home.js?v=...`): those URLs never
    // change content. Everything else is kept but checked on every load (cheap 304s).
    res.setHeader('Cache-Control', typeof req.query['v'] === 'string' && !isHome ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', etag);
    if (req.get('if-none-match') === etag) return void res.status(304).end();
    res.setHeader('Content-Length', String(info.size));
    if (req.method === 'HEAD') return void res.status(200).end();
    res.status(200);
    createReadStream(file).on('error', next).pipe(res);
  };
}
