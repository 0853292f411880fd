import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import type { VoiceServerMessage } from '../src/realtime/voice/messages.js';
import { request } from './support/http.js';
import { openTestStore, type TestStore } from './support/stores.js';

// HTTPS beside HTTP: a development certificate made once and reused, your own certificate, wss
// for the live and voice sockets, and HSTS only where it cannot lock localhost out of plain HTTP.

interface HttpsReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  fingerprint: string;
}

/** GET over HTTPS trusting only `ca` (Node's fetch cannot be given a CA). */
function httpsGet(url: string, ca?: string, headers: Record<string, string> = {}): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'GET', headers, ...(ca ? { ca } : {}) }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }));
    });
    req.on('error', reject).end();
  });
}

function httpsPost(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

/** Opens a wss socket trusting `ca` and resolves with its first message. */
function firstMessage<T>(url: string, ca: string, send?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca });
    ws.once('open', () => send !== undefined && ws.send(JSON.stringify(send)));
    ws.once('message', (data) => {
      ws.close();
      resolve(JSON.parse(String(data)) as T);
    });
    ws.once('error', reject);
  });
}

const quiet = { SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_PIPELINE: 'off' } as const;

describe('TLS', () => {
  let t: TestStore;
  let dataDir: string;
  const gateways: Gateway[] = [];
  const start = async (env: Record<string, string>) => {
    const g = await startGateway(readConfig({ ...quiet, SAYSO_DATA_DIR: dataDir, ...env }), { store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    gateways.push(g);
    return g;
  };

  beforeAll(async () => {
    t = await openTestStore('pglite');
    dataDir = mkdtempSync(path.join(tmpdir(), 'sayso-tls-'));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('SAYSO_TLS=dev', () => {
    let gw: Gateway;
    let ca: string;
    let token: string;
    beforeAll(async () => {
      gw = await start({ SAYSO_TLS: 'dev' });
      ca = readFileSync(gw.https!.caFile!, 'utf8');
      token = JSON.parse((await httpsPost(`${gw.https!.url}/v1/auth/local`, ca)).body).token;
    });

    it('serves the same app over HTTPS (trusting the generated CA) while HTTP keeps working', async () => {
      expect(gw.https!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await httpsGet(`${gw.https!.url}/health`, ca);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body).status).toBe('ok');
      expect((await request(gw.url, '', 'GET', '/health')).status).toBe(200);
      expect(token).toEqual(expect.any(String));
    });

    it('is real TLS: a client that does not trust the development CA is refused', async () => {
      await expect(httpsGet(`${gw.https!.url}/health`)).rejects.toThrow(/self[- ]signed|unable to verify|issuer/i);
    });

    it('keeps the CA private key nowhere: only the CA certificate, the server certificate and its key are on disk', async () => {
      const dir = path.dirname(gw.https!.caFile!);
      expect(dir).toBe(path.join(dataDir, 'tls'));
      expect(readdirSync(dir).sort()).toEqual(['dev-ca.pem', 'dev-cert.pem', 'dev-key.pem']);
      expect(statSync(path.join(dir, 'dev-key.pem')).mode & 0o077).toBe(0);
    });

    it('live updates work over wss', async () => {
      const hello = await firstMessage<ServerMessage>(`${gw.https!.url.replace(/^https/, 'wss')}/v1/live?token=${token}`, ca);
      expect(hello).toMatchObject({ type: 'hello' });
    });

    it('the voice socket works over wss', async () => {
      const ready = await firstMessage<VoiceServerMessage>(`${gw.https!.url.replace(/^https/, 'wss')}/v1/voice?token=${token}`, ca, {
        type: 'hello', mode: 'push-to-talk', transport: 'websocket',
      });
      expect(ready).toMatchObject({ type: 'ready', transport: 'websocket' });
    });

    it('sends no HSTS on the development listener (it would push http://localhost to HTTPS), but the other headers', async () => {
      const res = await httpsGet(`${gw.https!.url}/health`, ca);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('reuses the certificate after a restart on the same data directory', async () => {
      const before = (await httpsGet(`${gw.https!.url}/health`, ca)).fingerprint;
      const certBefore = readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8');
      await gw.close();
      const again = await start({ SAYSO_TLS: 'dev' });
      const after = await httpsGet(`${again.https!.url}/health`, ca);
      expect(after.status).toBe(200);
      expect(after.fingerprint).toBe(before);
      expect(readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8')).toBe(certBefore);
    });
  });

  it('with SAYSO_TLS_CERT and SAYSO_TLS_KEY serves that certificate, with HSTS', async () => {
    // The dev files made above stand in for a certificate of your own.
    const dir = path.join(dataDir, 'tls');
    const gw = await start({ SAYSO_TLS_CERT: path.join(dir, 'dev-cert.pem'), SAYSO_TLS_KEY: path.join(dir, 'dev-key.pem'), SAYSO_HSTS_SECONDS: '86400' });
    expect(gw.https).toBeDefined();
    const res = await httpsGet(`${gw.https!.url}/health`, readFileSync(path.join(dir, 'dev-ca.pem'), 'utf8'));
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=86400');
    // Plain HTTP never gets HSTS (browsers ignore it there anyway).
    expect((await request(gw.url, '', 'GET', '/health')).headers.get('strict-transport-security')).toBeNull();
  });

  it('a certificate file that cannot be read stops the gateway with a message naming the variable', async () => {
    await expect(start({ SAYSO_TLS_CERT: path.join(dataDir, 'missing.pem'), SAYSO_TLS_KEY: path.join(dataDir, 'missing-key.pem') })).rejects.toThrow(/SAYSO_TLS_CERT=.*cannot be read/);
    expect(() => readConfig({ ...quiet, SAYSO_TLS_CERT: '/x.pem' })).toThrow(/set both SAYSO_TLS_CERT and SAYSO_TLS_KEY/);
  });

  it('SAYSO_TLS=off (and the embedded default) serve HTTP only', async () => {
    expect((await start({ SAYSO_TLS: 'off' })).https).toBeUndefined();
    expect((await start({})).https).toBeUndefined();
  });

  it('behind a proxy: HSTS when a trusted proxy says the request came over HTTPS (SAYSO_TRUST_PROXY), not when an untrusted client claims it', async () => {
    const proxied = await start({ SAYSO_TRUST_PROXY: 'loopback' });
    const direct = await start({});
    const viaHttps = { 'x-forwarded-proto': 'https' };
    expect((await request(proxied.url, '', 'GET', '/health', { headers: viaHttps })).headers.get('strict-transport-security')).toMatch(/^max-age=\d+$/);
    expect((await request(proxied.url, '', 'GET', '/health')).headers.get('strict-transport-security')).toBeNull();
    expect((await request(direct.url, '', 'GET', '/health', { headers: viaHttps })).headers.get('strict-transport-security')).toBeNull();
  });
});
