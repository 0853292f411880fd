import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet, decodeProtectedHeader, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorBody, type User } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Sessions: who may call what, with which token, and which gateways trust which keys.

interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

interface Session {
  token: string;
  expiresAt: string;
  user: User;
}

async function api<T = unknown>(
  gateway: Gateway,
  method: string,
  path: string,
  send: { token?: string; authorization?: string; json?: unknown } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (send.token !== undefined) headers['authorization'] = `Bearer ${send.token}`;
  if (send.authorization !== undefined) headers['authorization'] = send.authorization;
  if (send.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(gateway.url + path, {
    method,
    headers,
    ...(send.json === undefined ? {} : { body: JSON.stringify(send.json) }),
  });
  const text = await res.text();
  let body: unknown = text;
  if (res.headers.get('content-type')?.startsWith('application/json')) body = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: body as T };
}

function expectError(reply: Reply, code: keyof typeof ERROR_STATUS): string {
  const { error } = reply.body as ErrorBody;
  expect({ status: reply.status, code: error?.code }).toEqual({ status: ERROR_STATUS[code], code });
  expect(error.requestId).toBe(reply.headers.get('x-request-id'));
  return error.message;
}

const quiet = { SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' } as const;
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

let storeA: TestStore;
let storeB: TestStore;
/** A gateway with the key it generated and stored in its database (the default). */
let gw: Gateway;
/** Two gateways on two databases, both given one SAYSO_JWT_PRIVATE_KEY. */
let keyedA: Gateway;
let keyedB: Gateway;
let withPassword: Gateway;
let signInOff: Gateway;
let configuredKey: { privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK };
let me: Session;
const gateways: Gateway[] = [];

async function start(env: Record<string, string>, store: TestStore): Promise<Gateway> {
  const g = await startGateway(readConfig({ ...quiet, ...env }), { store: store.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
  gateways.push(g);
  return g;
}

/** Signs a session-shaped token with any key, so each test changes exactly one thing about it. */
function forge(key: CryptoKey | Uint8Array, opts: { alg?: string; kid?: string; sub?: string | null; iss?: string; aud?: string; exp?: number } = {}) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: opts.alg ?? 'ES256', kid: opts.kid ?? 'configured', typ: 'JWT' })
    .setIssuer(opts.iss ?? 'sayso')
    .setAudience(opts.aud ?? 'sayso')
    .setIssuedAt(nowSeconds() - 60)
    .setJti(randomUUID())
    .setExpirationTime(opts.exp ?? nowSeconds() + 3600);
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? me.user.id);
  return jwt.sign(key);
}

beforeAll(async () => {
  [storeA, storeB] = await Promise.all([openTestStore('pglite'), openTestStore('pglite')]);
  const pair = await generateKeyPair('ES256', { extractable: true });
  configuredKey = { ...pair, publicJwk: await exportJWK(pair.publicKey) };
  const pem = await exportPKCS8(pair.privateKey);

  gw = await start({}, storeA);
  keyedA = await start({ SAYSO_JWT_PRIVATE_KEY: pem }, storeA);
  // An env file holds the PEM on one line with literal \n: the gateway must read that too.
  keyedB = await start({ SAYSO_JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n') }, storeB);
  withPassword = await start({ SAYSO_LOCAL_PASSWORD: 'correct horse', SAYSO_SESSION_TTL_HOURS: '2' }, storeA);
  signInOff = await start({ SAYSO_LOCAL_SIGNIN: 'off' }, storeA);

  const signIn = await api<Session>(gw, 'POST', '/v1/auth/local', { json: { name: 'Ada' } });
  expect(signIn.status).toBe(200);
  me = signIn.body;
});

afterAll(async () => {
  for (const g of gateways) await g.close();
  await storeA?.close();
  await storeB?.close();
});

interface Operation {
  method: string;
  path: string;
  security?: unknown[];
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  responses?: Record<string, unknown>;
}
type OpenApiDoc = { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>; components?: { schemas?: Record<string, unknown> } };

async function operations(): Promise<Operation[]> {
  const doc = (await api<OpenApiDoc>(gw, 'GET', '/openapi.json')).body;
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
  );
}

/** A concrete URL for an OpenAPI path: any well-formed id and day will do. */
const concrete = (path: string) => path.replace('{id}', randomUUID()).replace('{day}', '2026-03-01');

describe('without a token', () => {
  it('every /v1 route except local sign-in answers 401, before looking at the request', async () => {
    const ops = await operations();
    const open = ops.filter((op) => !op.security?.length).map((op) => `${op.method} ${op.path}`);
    // Besides these, Google's redirect back and its webhooks are public (each checks its own proof).
    const google = ['GET /v1/google/signin', 'GET /v1/google/start', 'GET /v1/google/callback', 'POST /v1/google/calendar/notify', 'POST /v1/google/sheets/notify/{linkId}'];
    expect(open.filter((r) => !google.includes(r)).sort()).toEqual(['GET /health', 'POST /v1/auth/local', 'POST /v1/auth/publishable']);

    const guarded = ops.filter((op) => op.security?.length);
    expect(guarded.length).toBeGreaterThanOrEqual(20);
    const outcomes = await Promise.all(
      guarded.map(async (op) => {
        // No body and no query: a caller who has not signed in is told to sign in, not how to fix the request.
        const reply = await api(gw, op.method, concrete(op.path));
        const { error } = reply.body as ErrorBody;
        return { route: `${op.method} ${op.path}`, status: reply.status, code: error?.code, message: error?.message };
      }),
    );
    for (const o of outcomes) {
      expect(o, o.route).toMatchObject({ status: 401, code: 'unauthorized' });
      expect(o.message, o.route).toContain('Authorization: Bearer');
      expect(o.message, o.route).toContain('POST /v1/auth/local');
    }
  });

  it('an invalid body is still a 401, not a validation error', async () => {
    const reply = await api(gw, 'POST', '/v1/tasks', { json: { title: '', colour: 'red' } });
    expectError(reply, 'unauthorized');
  });

  it('/health reports every dependency up', async () => {
    const reply = await api<{ status: string; checks: Record<string, string> }>(gw, 'GET', '/health');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ status: 'ok', checks: { database: 'ok', bus: 'ok' } });
  });

  it('/openapi.json is an OpenAPI 3.1 document listing every route', async () => {
    const reply = await api<OpenApiDoc>(gw, 'GET', '/openapi.json');
    expect(reply.status).toBe(200);
    expect(reply.body.openapi).toBe('3.1.0');
    expect(reply.body.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const ops = await operations();
    expect(ops.map((op) => `${op.method} ${op.path}`).sort()).toEqual(
      [
        'GET /health',
        'POST /v1/auth/local',
        'GET /v1/me', 'PATCH /v1/me',
        'GET /v1/tasks', 'POST /v1/tasks',
        'GET /v1/tasks/{id}', 'PATCH /v1/tasks/{id}', 'DELETE /v1/tasks/{id}',
        'POST /v1/tasks/{id}/complete', 'POST /v1/tasks/{id}/reopen',
        'GET /v1/journal', 'POST /v1/journal', 'GET /v1/journal/search',
        'GET /v1/journal/{id}', 'PATCH /v1/journal/{id}', 'DELETE /v1/journal/{id}',
        'GET /v1/habits', 'POST /v1/habits',
        'GET /v1/habits/{id}', 'PATCH /v1/habits/{id}', 'DELETE /v1/habits/{id}',
        'GET /v1/habits/{id}/stats',
        'GET /v1/habits/{id}/checkins', 'POST /v1/habits/{id}/checkins',
        'DELETE /v1/habits/{id}/checkins/{day}',
        'POST /v1/turns',
        'GET /v1/keys', 'POST /v1/keys', 'DELETE /v1/keys/{id}', 'POST /v1/auth/publishable',
        'GET /v1/google/signin', 'GET /v1/google/start', 'POST /v1/google/connect', 'GET /v1/google/callback', 'GET /v1/google/status', 'DELETE /v1/google',
        'POST /v1/google/sheets', 'DELETE /v1/google/sheets', 'POST /v1/google/calendar', 'DELETE /v1/google/calendar',
        'POST /v1/google/sync', 'GET /v1/sync/log', 'POST /v1/google/calendar/notify', 'POST /v1/google/sheets/notify/{linkId}',
      ].sort(),
    );
    for (const op of ops) {
      const where = `${op.method} ${op.path}`;
      expect(Object.keys(op.responses ?? {}).length, where).toBeGreaterThan(0);
      // Every {param} in the template is declared as a required path parameter.
      for (const [, name] of op.path.matchAll(/\{(\w+)\}/g)) {
        expect(op.parameters, where).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'path', name, required: true })]));
      }
      if (op.security?.length) expect(Object.keys(op.responses ?? {}), where).toContain('401');
    }
    // Every $ref points at a component the document defines.
    const refs = [...JSON.stringify(reply.body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const name of new Set(refs)) expect(reply.body.components?.schemas, name).toHaveProperty(name);
  });

  it('/.well-known/jwks.json publishes the public key that verifies session tokens', async () => {
    const reply = await api<{ keys: JWK[] }>(gw, 'GET', '/.well-known/jwks.json');
    expect(reply.status).toBe(200);
    expect(reply.body.keys).toHaveLength(1);
    const [key] = reply.body.keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: decodeProtectedHeader(me.token).kid });
    expect(key).not.toHaveProperty('d');
    const { payload } = await jwtVerify(me.token, createLocalJWKSet(reply.body), { issuer: 'sayso', audience: 'sayso' });
    expect(payload.sub).toBe(me.user.id);
  });

  it('/metrics serves Prometheus text, counting requests by route template', async () => {
    await api(gw, 'GET', `/v1/tasks/${randomUUID()}`);
    const reply = await api<string>(gw, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(reply.body).toMatch(/sayso_http_requests_total\{method="GET",route="\/v1\/tasks\/:id",status="401"\} \d+/);
  });
});

describe('a token that is not a valid session', () => {
  const cases: Array<{ scenario: string; authorization: () => Promise<string>; says: string }> = [
    { scenario: 'random text', authorization: async () => 'Bearer not-a-token', says: 'not valid' },
    { scenario: 'a JWT with its signature cut off', authorization: async () => `Bearer ${me.token.split('.').slice(0, 2).join('.')}.`, says: 'not valid' },
    { scenario: 'another scheme than Bearer', authorization: async () => `Basic ${Buffer.from('ada:pw').toString('base64')}`, says: 'Authorization: Bearer <token>' },
    {
      scenario: 'signed by another ES256 key',
      authorization: async () => `Bearer ${await forge((await generateKeyPair('ES256')).privateKey, { kid: decodeProtectedHeader(me.token).kid! })}`,
      says: 'not valid',
    },
    {
      scenario: 'signed with HS256',
      authorization: async () => `Bearer ${await forge(new TextEncoder().encode('a shared secret of at least 32 bytes!'), { alg: 'HS256' })}`,
      says: 'not valid',
    },
    {
      scenario: 'alg none, unsigned',
      authorization: async () =>
        `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: me.user.id, iss: 'sayso', aud: 'sayso', exp: nowSeconds() + 3600 })}.`,
      says: 'not valid',
    },
  ];

  it.each(cases)('$scenario: 401 with a clear message', async ({ authorization, says }) => {
    const header = await authorization();
    for (const path of ['/v1/me', '/v1/tasks']) {
      const message = expectError(await api(gw, 'GET', path, { authorization: header }), 'unauthorized');
      expect(message).toContain(says);
    }
  });

  it('the genuine token of the same person works (the cases above differ only in the token)', async () => {
    const reply = await api<User>(gw, 'GET', '/v1/me', { token: me.token });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(me.user);
  });

  describe('signed with the configured key', () => {
    it('an expired one: 401 saying the session expired', async () => {
      const token = await forge(configuredKey.privateKey, { exp: nowSeconds() - 60 });
      const message = expectError(await api(keyedA, 'GET', '/v1/me', { token }), 'unauthorized');
      expect(message).toContain('expired');
      expect(message).toContain('Sign in again');
    });

    it('one for another audience: 401', async () => {
      const token = await forge(configuredKey.privateKey, { aud: 'someone-else' });
      expect(expectError(await api(keyedA, 'GET', '/v1/me', { token }), 'unauthorized')).toContain('Sign in again');
    });

    it('one from another issuer: 401', async () => {
      const token = await forge(configuredKey.privateKey, { iss: 'someone-else' });
      expect(expectError(await api(keyedA, 'GET', '/v1/me', { token }), 'unauthorized')).toContain('Sign in again');
    });

    it('HS256 keyed with the public key (the algorithm-confusion attack): 401', async () => {
      const secret = new TextEncoder().encode(await exportSPKI(configuredKey.publicKey));
      const token = await forge(secret, { alg: 'HS256' });
      expect(expectError(await api(keyedA, 'GET', '/v1/me', { token }), 'unauthorized')).toContain('Sign in again');
    });

    it('one without a subject: 401', async () => {
      const token = await forge(configuredKey.privateKey, { sub: null });
      expectError(await api(keyedA, 'GET', '/v1/me', { token }), 'unauthorized');
    });

    it('a well-formed one is accepted (so the rejections above are for the one thing changed)', async () => {
      const token = await forge(configuredKey.privateKey);
      const reply = await api<User>(keyedA, 'GET', '/v1/me', { token });
      expect(reply.status).toBe(200);
      expect(reply.body.id).toBe(me.user.id);
    });
  });

  it('does not stop the public routes or signing in again', async () => {
    const stale = { token: await forge(configuredKey.privateKey, { exp: nowSeconds() - 60 }) };
    expect((await api(gw, 'GET', '/health', stale)).status).toBe(200);
    expect((await api(gw, 'GET', '/openapi.json', stale)).status).toBe(200);
    expect((await api(gw, 'GET', '/.well-known/jwks.json', stale)).status).toBe(200);
    expect((await api(gw, 'GET', '/metrics', stale)).status).toBe(200);
    const again = await api<Session>(gw, 'POST', '/v1/auth/local', { ...stale, json: {} });
    expect(again.status).toBe(200);
    expect(again.body.user.id).toBe(me.user.id);
  });
});

describe('local sign-in', () => {
  it('with SAYSO_LOCAL_PASSWORD set: no password is a 401 naming the setting', async () => {
    const message = expectError(await api(withPassword, 'POST', '/v1/auth/local', { json: {} }), 'unauthorized');
    expect(message).toContain('SAYSO_LOCAL_PASSWORD');
  });

  it('with SAYSO_LOCAL_PASSWORD set: a wrong password is a 401 and no token', async () => {
    const reply = await api(withPassword, 'POST', '/v1/auth/local', { json: { password: 'correct horse ' } });
    expect(expectError(reply, 'unauthorized')).toContain('Wrong password');
    expect(reply.body).not.toHaveProperty('token');
  });

  it('with SAYSO_LOCAL_PASSWORD set: the right password gives a working token that lasts SAYSO_SESSION_TTL_HOURS', async () => {
    const before = Date.now();
    const reply = await api<Session>(withPassword, 'POST', '/v1/auth/local', { json: { password: 'correct horse' } });
    expect(reply.status).toBe(200);
    const lasts = Date.parse(reply.body.expiresAt) - before;
    expect(lasts).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(lasts).toBeLessThanOrEqual(2 * 3_600_000 + 30_000);
    const who = await api<User>(withPassword, 'GET', '/v1/me', { token: reply.body.token });
    expect(who.status).toBe(200);
    expect(who.body.id).toBe(reply.body.user.id);
  });

  it('with SAYSO_LOCAL_SIGNIN=off: 403 naming the setting, even with no password set', async () => {
    const reply = await api(signInOff, 'POST', '/v1/auth/local', { json: { name: 'Ada' } });
    expect(expectError(reply, 'forbidden')).toContain('SAYSO_LOCAL_SIGNIN');
    expect(reply.body).not.toHaveProperty('token');
  });

  it('with SAYSO_LOCAL_SIGNIN=off: tokens issued elsewhere still work', async () => {
    // Same database, so the same stored signing key.
    const reply = await api<User>(signInOff, 'GET', '/v1/me', { token: me.token });
    expect(reply.status).toBe(200);
  });
});

describe('SAYSO_JWT_PRIVATE_KEY', () => {
  it('is the key the gateway signs with and publishes', async () => {
    const signIn = await api<Session>(keyedA, 'POST', '/v1/auth/local', { json: {} });
    expect(signIn.status).toBe(200);
    expect(decodeProtectedHeader(signIn.body.token)).toMatchObject({ alg: 'ES256', kid: 'configured' });
    await expect(jwtVerify(signIn.body.token, configuredKey.publicKey, { issuer: 'sayso', audience: 'sayso' })).resolves.toBeDefined();
    for (const g of [keyedA, keyedB]) {
      const jwks = (await api<{ keys: JWK[] }>(g, 'GET', '/.well-known/jwks.json')).body;
      expect(jwks.keys).toEqual([expect.objectContaining({ kid: 'configured', x: configuredKey.publicJwk.x, y: configuredKey.publicJwk.y })]);
      expect(jwks.keys[0]).not.toHaveProperty('d');
    }
  });

  it('a token from one gateway verifies at another gateway, on another database, given the same key', async () => {
    const signIn = await api<Session>(keyedA, 'POST', '/v1/auth/local', { json: {} });
    const claims = await keyedB.sessions.verify(signIn.body.token);
    expect(claims.userId).toBe(signIn.body.user.id);
    expect(claims.expiresAt.toISOString()).toBe(new Date(Math.floor(Date.parse(signIn.body.expiresAt) / 1000) * 1000).toISOString());
    // The person lives only in the first database: the second gateway trusts the token but knows no such account.
    const message = expectError(await api(keyedB, 'GET', '/v1/me', { token: signIn.body.token }), 'unauthorized');
    expect(message).toContain('no longer exists');
  });

  it('a gateway with its own stored key rejects tokens of the configured key, and the reverse', async () => {
    const fromKeyed = (await api<Session>(keyedA, 'POST', '/v1/auth/local', { json: {} })).body.token;
    await expect(gw.sessions.verify(fromKeyed)).rejects.toMatchObject({ code: 'unauthorized' });
    expectError(await api(gw, 'GET', '/v1/me', { token: fromKeyed }), 'unauthorized');
    await expect(keyedB.sessions.verify(me.token)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
