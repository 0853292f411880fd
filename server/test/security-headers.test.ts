import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { DEFAULT_STATIC_DIR } from '../src/http/static.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { request } from './support/http.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Security headers on pages, bundles and the API, and the CORS allowlist.

const LISTED = 'https://app.example';
const KEYED = 'https://blog.example';
const STRANGER = 'https://evil.example';

let t: TestStore;
let gw: Gateway;
let token: string;
/** A GET of anything (pages and bundles are not JSON). */
const get = (path: string, headers: Record<string, string> = {}) => fetch(gw.url + path, { headers }).then(async (res) => (await res.arrayBuffer(), res));
const preflight = (path: string, origin: string) =>
  fetch(gw.url + path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

beforeAll(async () => {
  t = await openTestStore('pglite');
  gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_PIPELINE: 'off', SAYSO_CORS_ORIGINS: LISTED }), {
    store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder(),
  });
  token = (await request<{ token: string }>(gw.url, '', 'POST', '/v1/auth/local')).body.token;
  expect((await request(gw.url, token, 'POST', '/v1/keys', { json: { origins: [KEYED] } })).status).toBe(201);
});
afterAll(async () => {
  await gw?.close();
  await t?.close();
});

describe('security headers', () => {
  it('the home page gets a CSP that allows only its own scripts, and is never framed', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    const directive = (name: string) => csp.split(';').map((d) => d.trim()).find((d) => d.startsWith(`${name} `));
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive('connect-src')).toContain('wss:');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP
  });

  it('the built home page has no inline script, so that CSP fits it', () => {
    const html = readFileSync(`${DEFAULT_STATIC_DIR}index.html`, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either
  });

  it('API answers carry the same headers, errors included', async () => {
    for (const res of [await get('/health'), await get('/v1/me'), await get('/v1/nothing-here')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    }
  });

  it.each(['/sayso-widget.js', '/sayso-widget.mjs', '/pcm-worklet.js'])('%s can be loaded by any site (CORP cross-origin, CORS *)', async (path) => {
    const res = await get(path, { origin: STRANGER });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it("the home page's own bundle stays same-origin", async () => {
    const res = await get('/home.js', { origin: STRANGER });
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS allowlist', () => {
  it('a listed origin (SAYSO_CORS_ORIGINS) may call the API, without credentials, and read Retry-After', async () => {
    const res = await request(gw.url, token, 'GET', '/v1/tasks', { headers: { origin: LISTED } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it('its preflight is answered 204 and may be cached (Access-Control-Max-Age)', async () => {
    const res = await preflight('/v1/tasks', LISTED);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(LISTED);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(Number(res.headers.get('access-control-max-age'))).toBeGreaterThanOrEqual(60);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('an origin a publishable key lists may call the API too', async () => {
    const res = await request(gw.url, token, 'GET', '/v1/tasks', { headers: { origin: KEYED } });
    expect(res.headers.get('access-control-allow-origin')).toBe(KEYED);
    expect((await preflight('/v1/tasks', KEYED)).status).toBe(204);
  });

  it('any other origin gets no CORS headers and no preflight, but the answer still varies on Origin', async () => {
    const res = await request(gw.url, token, 'GET', '/v1/tasks', { headers: { origin: STRANGER } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/\bOrigin\b/);
    const pre = await preflight('/v1/tasks', STRANGER);
    expect(pre.status).not.toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the publishable-key exchange answers any page, so a refused site can read why', async () => {
    const res = await request<{ error: { message: string } }>(gw.url, '', 'POST', '/v1/auth/publishable', { json: { key: 'pk_nope' }, headers: { origin: STRANGER } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(STRANGER);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
