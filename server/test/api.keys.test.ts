import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { request } from './support/http.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Publishable keys: a person lets the widget act for them on the sites they list, and only there.

let t: TestStore;
let gw: Gateway;
let token: string;
const SITE = 'https://blog.example';

interface Key { id: string; key: string; origins: string[] }
interface SessionOut { token: string; expiresAt: string; user: { id: string } }

const api = <T = unknown>(auth: string, method: string, path: string, send?: { json?: unknown; headers?: Record<string, string> }) =>
  request<T>(gw.url, auth, method, path, send);
const exchange = (key: string, origin?: string) =>
  api<SessionOut & ErrorBody>('', 'POST', '/v1/auth/publishable', { json: { key }, ...(origin ? { headers: { origin } } : {}) });

beforeAll(async () => {
  t = await openTestStore('pglite');
  gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_PIPELINE: 'off' }), {
    store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder(),
  });
  token = (await api<{ token: string }>('', 'POST', '/v1/auth/local', { json: { name: 'Ada' } })).body.token;
});
afterAll(async () => {
  await gw?.close();
  await t?.close();
});

describe('publishable keys', () => {
  it('a key made for a site buys that site a short session that acts as its owner', async () => {
    const made = await api<Key>(token, 'POST', '/v1/keys', { json: { origins: [`${SITE}:443/`, 'http://localhost:5173'], label: 'blog' } });
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^pk_[\w-]{20,}$/);
    expect(made.body.origins).toEqual([SITE, 'http://localhost:5173']); // normalised
    const session = await exchange(made.body.key, SITE);
    expect(session.status).toBe(200);
    const hours = (decodeJwt(session.body.token).exp! * 1000 - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);
    const task = await api<Task>(session.body.token, 'POST', '/v1/tasks', { json: { title: 'From the blog' } });
    expect(task.status).toBe(201);
    const mine = await api<{ items: Task[] }>(token, 'GET', '/v1/tasks');
    expect(mine.body.items.map((x) => x.title)).toContain('From the blog');
  });

  it('refuses an unlisted origin, a missing origin and an unknown key, each saying why', async () => {
    const { body: key } = await api<Key>(token, 'POST', '/v1/keys', { json: { origins: [SITE] } });
    const elsewhere = await exchange(key.key, 'https://evil.example');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.message).toContain('This site (https://evil.example) is not allowed to use this Sayso key');
    expect(elsewhere.body.token).toBeUndefined();
    const noOrigin = await exchange(key.key);
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body.error.message).toMatch(/only from a web page/);
    const unknown = await exchange('pk_nope', SITE);
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.message).toMatch(/not valid/);
  });

  it('a revoked key buys nothing, and it disappears from the list', async () => {
    const { body: key } = await api<Key>(token, 'POST', '/v1/keys', { json: { origins: [SITE] } });
    expect((await api(token, 'DELETE', `/v1/keys/${key.id}`)).status).toBe(204);
    expect((await exchange(key.key, SITE)).status).toBe(401);
    const list = await api<{ items: Key[] }>(token, 'GET', '/v1/keys');
    expect(list.body.items.map((k) => k.id)).not.toContain(key.id);
    expect((await api(token, 'DELETE', `/v1/keys/${key.id}`)).status).toBe(404);
  });

  it('rejects what is not an origin, and a key request without origins', async () => {
    for (const origins of [['https://blog.example/path'], ['javascript:alert(1)'], ['blog.example'], []]) {
      const r = await api<ErrorBody>(token, 'POST', '/v1/keys', { json: { origins } });
      expect(r.status, JSON.stringify(origins)).toBe(400);
      expect(r.body.error.message).toMatch(/origin/);
    }
    expect((await api(token, 'GET', '/v1/keys')).status).toBe(200);
    expect((await api('', 'GET', '/v1/keys')).status).toBe(401);
  });

  it('CORS: listed origins may call the API, others get no CORS headers; anyone may try the exchange', async () => {
    await api<Key>(token, 'POST', '/v1/keys', { json: { origins: ['https://cors.example'] } });
    const preflight = (origin: string, path: string) =>
      fetch(gw.url + path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const listed = await preflight('https://cors.example', '/v1/tasks');
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://cors.example');
    const other = await preflight('https://other.example', '/v1/tasks');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const tryExchange = await preflight('https://other.example', '/v1/auth/publishable');
    expect(tryExchange.headers.get('access-control-allow-origin')).toBe('https://other.example');
  });
});
