import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, Understanding } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import type { Understander } from '../src/providers/llm/port.js';
import { FakeSTT } from '../src/providers/stt/fake.js';
import { FakeTTS } from '../src/providers/tts/fake.js';
import type { VoiceServerMessage } from '../src/realtime/voice/messages.js';
import { request, type Reply } from './support/http.js';
import { createUser, openTestStore, type TestStore } from './support/stores.js';

// Abuse limits: 429 `rate_limited` with Retry-After and words saying which limit and how long,
// per person, per address, per publishable key, per voice socket, for audio and model calls,
// and one budget across gateways sharing Redis.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `sayso-test:${randomUUID().slice(0, 8)}:`;

/** A "model" that counts its calls and understands nothing, so an offline answer is easy to tell. */
class CountingModel implements Understander {
  readonly id = 'counting-model';
  readonly capabilities = { offline: false, toolCalls: true };
  calls = 0;
  async understand(): Promise<Understanding> {
    this.calls++;
    return { action: { kind: null, action: 'none' }, confidence: 0.9, engine: this.id } as Understanding;
  }
}

const LIMITS = {
  SAYSO_LIMIT_REST_PER_MINUTE: '5',
  SAYSO_LIMIT_SIGNIN_PER_MINUTE: '3',
  SAYSO_LIMIT_KEY_SESSIONS_PER_MINUTE: '2',
  SAYSO_LIMIT_VOICE_MESSAGES_PER_MINUTE: '5',
  SAYSO_LIMIT_AUDIO_BYTES_PER_MINUTE: '64000',
  SAYSO_LIMIT_LLM_PER_MINUTE: '2',
  SAYSO_LIMIT_LIVE_SOCKETS: '2',
  SAYSO_LIMIT_VOICE_SOCKETS: '1',
};

function expectRateLimited(reply: Reply<ErrorBody>, says: RegExp): number {
  expect(reply.status).toBe(429);
  expect(reply.body.error.code).toBe('rate_limited');
  expect(reply.body.error.message).toMatch(says);
  expect(reply.body.error.message).toMatch(/Wait \d+ seconds?/);
  const retryAfter = Number(reply.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(reply.body.error.details).toMatchObject({ retryAfterSeconds: retryAfter });
  return retryAfter;
}

/** A voice socket from Node collecting JSON messages. */
async function voiceSocket(gw: Gateway, token: string): Promise<{ ws: WebSocket; messages: VoiceServerMessage[] }> {
  const messages: VoiceServerMessage[] = [];
  const ws = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/v1/voice?token=${token}`);
  ws.on('message', (data, isBinary) => !isBinary && messages.push(JSON.parse(String(data)) as VoiceServerMessage));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  return { ws, messages };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let t: TestStore;
let gw: Gateway;
const model = new CountingModel();
const sockets: WebSocket[] = [];
/** A new person and a session for them: each test spends its own budgets. */
const person = async (g: Gateway = gw) => (await g.sessions.issue(await createUser(t.store))).token;

beforeAll(async () => {
  t = await openTestStore('pglite');
  gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_TRUST_PROXY: 'loopback', ...LIMITS }), {
    store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder(), understander: model, stt: new FakeSTT(), tts: new FakeTTS(),
  });
});
afterAll(async () => {
  for (const ws of sockets) ws.terminate();
  await gw?.close();
  await t?.close();
});

describe('REST', () => {
  it('a person over their requests a minute gets 429 with Retry-After and which limit it was; others are not affected', async () => {
    const [me, other] = [await person(), await person()];
    for (let i = 0; i < 5; i++) expect((await request(gw.url, me, 'GET', '/v1/tasks')).status).toBe(200);
    const refused = await request<ErrorBody>(gw.url, me, 'POST', '/v1/tasks', { json: { title: 'one too many' } });
    expectRateLimited(refused, /Too many requests for this account: at most 5 a minute/);
    expect(refused.body.error.requestId).toBe(refused.headers.get('x-request-id'));
    expect((await request(gw.url, other, 'GET', '/v1/tasks')).status).toBe(200);
    // Health and the page are not API calls of a person.
    expect((await request(gw.url, me, 'GET', '/health')).status).toBe(200);
  });

  it('sign-in without a session is limited per client address (X-Forwarded-For from a trusted proxy)', async () => {
    const from = (ip: string) => request<ErrorBody>(gw.url, '', 'POST', '/v1/auth/local', { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).status).toBe(200);
    expectRateLimited(await from('203.0.113.7'), /Too many sign-in attempts from your network address: at most 3 a minute/);
    expect((await from('203.0.113.8')).status).toBe(200);
  });
});

describe('publishable keys', () => {
  it('each key may start only so many sessions a minute; another key of the same person still works', async () => {
    const owner = await person();
    const site = 'https://blog.example';
    const make = async () => (await request<{ key: string }>(gw.url, owner, 'POST', '/v1/keys', { json: { origins: [site] } })).body.key;
    const [key, spare] = [await make(), await make()];
    // Each from its own address, so only the key's budget is in play.
    const exchange = (k: string, i: number) =>
      request<ErrorBody>(gw.url, '', 'POST', '/v1/auth/publishable', { json: { key: k }, headers: { origin: site, 'x-forwarded-for': `198.51.100.${i}` } });
    expect((await exchange(key, 1)).status).toBe(200);
    expect((await exchange(key, 2)).status).toBe(200);
    const refused = await exchange(key, 3);
    expectRateLimited(refused, /This Sayso key has started too many sessions: at most 2 a minute/);
    expect(refused.headers.get('access-control-allow-origin')).toBe(site); // the widget can read why
    expect((await exchange(spare, 4)).status).toBe(200);
  });

  it('refused exchanges (wrong key or site) do not spend the key budget', async () => {
    const owner = await person();
    const site = 'https://shop.example';
    const { key } = (await request<{ key: string }>(gw.url, owner, 'POST', '/v1/keys', { json: { origins: [site] } })).body;
    const exchange = (origin: string, i: number) =>
      request(gw.url, '', 'POST', '/v1/auth/publishable', { json: { key }, headers: { origin, 'x-forwarded-for': `192.0.2.${i}` } });
    for (let i = 0; i < 3; i++) expect((await exchange('https://evil.example', i)).status).toBe(403);
    expect((await exchange(site, 10)).status).toBe(200);
    expect((await exchange(site, 11)).status).toBe(200);
  });
});

describe('voice socket', () => {
  it('too many messages on one socket: one rate_limited error, then the excess is dropped', async () => {
    const { ws, messages } = await voiceSocket(gw, await person());
    sockets.push(ws);
    ws.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket', speak: false }));
    await until(() => messages.some((m) => m.type === 'ready'), 'ready');
    for (let i = 0; i < 4; i++) ws.send(JSON.stringify({ type: 'speak', speak: false })); // with hello: 5
    ws.send(JSON.stringify({ type: 'speak', speak: false })); // the 6th: refused, and told
    ws.send('not json at all'); // dropped before it is read: no bad_message error
    ws.send(JSON.stringify({ type: 'speak', speak: false }));
    // The server answers a ping after handling every frame before it: then all its errors are here.
    await new Promise<void>((resolve) => (ws.once('pong', () => resolve()), ws.ping()));
    const errors = messages.filter((m): m is Extract<VoiceServerMessage, { type: 'error' }> => m.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'rate_limited' });
    expect(errors[0]!.message).toMatch(/Too many messages on this voice connection: at most 5 a minute.*next \d+ seconds?/);
    expect(messages.some((m) => m.type === 'ready')).toBe(true);
  });

  it('too much microphone audio for a person: a rate_limited error saying how much and for how long', async () => {
    const { ws, messages } = await voiceSocket(gw, await person());
    sockets.push(ws);
    ws.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket', speak: false }));
    await until(() => messages.some((m) => m.type === 'ready'), 'ready');
    const frame = Buffer.alloc(3_200); // 100 ms of 16 kHz silence
    for (let i = 0; i < 40; i++) ws.send(frame); // 128 kB: twice the 64 kB a minute allowed
    await until(() => messages.some((m) => m.type === 'error'), 'the rate_limited error');
    const errors = messages.filter((m): m is Extract<VoiceServerMessage, { type: 'error' }> => m.type === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'rate_limited' });
    expect(errors[0]!.message).toMatch(/Too much microphone audio for this account: at most 2 seconds a minute.*next \d+ seconds?/);
  });
});

describe('open sockets per person', () => {
  /** Opens a socket and resolves with how it ended up: open, or the close code and reason. */
  const attempt = (path: string, token: string) =>
    new Promise<{ ws: WebSocket; open: true } | { code: number; reason: string }>((resolve, reject) => {
      const ws = new WebSocket(`${gw.url.replace(/^http/, 'ws')}${path}?token=${token}`);
      sockets.push(ws);
      ws.once('error', reject);
      ws.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
      // Open and greeted: the live socket says hello by itself; a voice socket answers hello with ready.
      ws.on('message', (data, isBinary) => {
        const type = isBinary ? '' : (JSON.parse(String(data)) as { type: string }).type;
        if (type === 'hello' || type === 'ready') resolve({ ws, open: true });
      });
      if (path === '/v1/voice') ws.once('open', () => ws.send(JSON.stringify({ type: 'hello', mode: 'push-to-talk', transport: 'websocket' })));
    });

  it('past the limit a socket is closed with 4429 and what to do; another person is not affected; closing one frees a place', async () => {
    const [me, other] = [await person(), await person()];
    const first = await attempt('/v1/live', me);
    expect(await attempt('/v1/live', me)).toMatchObject({ open: true });
    const third = await attempt('/v1/live', me);
    expect(third).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many live connections \(2\).*close other tabs/) });
    expect(await attempt('/v1/live', other)).toMatchObject({ open: true });
    if (!('open' in first)) throw new Error('the first socket did not open');
    first.ws.close();
    await until(() => first.ws.readyState === WebSocket.CLOSED, 'the first socket to close');
    // The gateway forgets a closed socket when its close arrives there: retry for a moment.
    let again = await attempt('/v1/live', me);
    for (let i = 0; i < 20 && !('open' in again); i++) again = await attempt('/v1/live', me);
    expect(again).toMatchObject({ open: true });

    expect(await attempt('/v1/voice', me)).toMatchObject({ open: true });
    expect(await attempt('/v1/voice', me)).toMatchObject({ code: 4429, reason: expect.stringMatching(/too many voice sessions \(1\)/) });
    expect(await attempt('/v1/voice', other)).toMatchObject({ open: true });
  });
});

describe('model calls', () => {
  it('over the budget, turns are understood by the offline engine instead of the model (and still work)', async () => {
    const me = await person();
    const before = model.calls;
    const say = (text: string) => request<{ outcome: { action: { kind: string | null } } }>(gw.url, me, 'POST', '/v1/turns', { json: { text } });
    expect((await say('add milk to my shopping list')).body.outcome.action.kind).toBeNull(); // the model: understands nothing
    expect((await say('add milk to my shopping list')).body.outcome.action.kind).toBeNull();
    const third = await say('add milk to my shopping list');
    expect(third.status).toBe(200);
    expect(third.body.outcome.action.kind).toBe('task'); // the offline rules
    expect(model.calls - before).toBe(2);
  });
});

describe('two gateways on one Redis', () => {
  const pair: Gateway[] = [];
  afterAll(async () => {
    await Promise.all(pair.map((g) => g.close()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('spend one budget per person: requests through either count against the same limit', async () => {
    const env = { SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_PIPELINE: 'off', REDIS_URL, SAYSO_BUS_PREFIX: PREFIX, SAYSO_LIMIT_REST_PER_MINUTE: '4' };
    for (let i = 0; i < 2; i++) pair.push(await startGateway(readConfig(env), { store: t.store, bus: new MemoryBus(), embedder: new HashEmbedder() }));
    const [a, b] = pair as [Gateway, Gateway];
    const me = await person(a);
    expect((await request(a.url, me, 'GET', '/v1/tasks')).status).toBe(200);
    expect((await request(b.url, me, 'GET', '/v1/tasks')).status).toBe(200);
    expect((await request(a.url, me, 'GET', '/v1/tasks')).status).toBe(200);
    expect((await request(b.url, me, 'GET', '/v1/tasks')).status).toBe(200);
    expectRateLimited(await request<ErrorBody>(a.url, me, 'GET', '/v1/tasks'), /at most 4 a minute/);
    expectRateLimited(await request<ErrorBody>(b.url, me, 'GET', '/v1/tasks'), /at most 4 a minute/);
  });
});
