import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '@sayso/protocol';
import { SaysoClient, type LiveState, type VoiceSessionEvents } from '../src/index.js';
import { startTestGateway } from './support/gateway.js';
import { until } from './support/until.js';

const SITE = 'https://shop.example';
/** Key sessions of 12 s here (2 hours by default), so a renewal and an expiry happen within the test. */
const KEY_SESSION_MINUTES = '0.2';

/** Node's fetch sends no Origin; a browser on SITE would. */
const fromSite: typeof fetch = (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), origin: SITE } });

// A page embedding Sayso with a publishable key stays open for hours; its session lasts 2. The
// client renews it before it ends and hands the new token to its open sockets, so REST calls,
// live updates and the voice session all carry on past the first session's end, without a
// reconnect; and once the page's clock has slept past the end, a refused call renews and goes again.
describe('a publishable-key session is renewed while the page stays open', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let key: string;

  beforeAll(async () => {
    gateway = await startTestGateway({ SAYSO_KEY_SESSION_MINUTES: KEY_SESSION_MINUTES });
    const owner = await SaysoClient.signInLocal(gateway.gw.url);
    const res = await fetch(`${gateway.gw.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ origins: [SITE] }),
    });
    key = ((await res.json()) as { key: string }).key;
  });
  afterAll(() => gateway?.close());

  const refused = async (token: string) => (await fetch(`${gateway.gw.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('REST, live updates and voice outlive the first session, on the sockets they opened with', async () => {
    const client = await SaysoClient.fromPublishableKey(gateway.gw.url, key, { fetch: fromSite, WebSocket });
    const first = client.session!;
    const states: LiveState[] = [];
    const events: LiveEvent[] = [];
    const sub = client.live({ onEvent: (e) => events.push(e), onStateChange: (s) => states.push(s) });
    await until(() => sub.state === 'open', 'live updates to open');
    const voice = client.voice({ speakReplies: false });
    const results: Array<VoiceSessionEvents['result']> = [];
    const voiceErrors: string[] = [];
    voice.on('result', (r) => results.push(r));
    voice.on('error', (e) => voiceErrors.push(`${e.kind}: ${e.message}`));
    await voice.connect({ mic: false });
    const voiceSession = voice.sessionId;

    await until(() => client.token !== first.token, 'the session to be renewed', 20_000);
    // Past the first session's end: its token is refused now, so what follows proves the renewal.
    await until(() => Date.now() > Date.parse(first.expiresAt) + 1_000, "the first session's end", 20_000, 100);
    expect(await refused(first.token)).toBe(401);

    const task = await client.tasks.create({ title: 'Water the plants' });
    await until(() => events.some((e) => e.type === 'task_update' && e.data.task.id === task.id), 'the change on the live socket');
    voice.sendText('add buy oat milk to my shopping list');
    await until(() => results.length === 1, 'the voice result');
    expect(results[0]!.outcome.status).toBe('done');

    // The same sockets all along: the live one never reconnected, the voice session is the first one.
    expect(states).not.toContain('reconnecting');
    expect(sub.state).toBe('open');
    expect(voice.sessionId).toBe(voiceSession);
    expect(voiceErrors).toEqual([]);
    sub.close();
    voice.close();
  }, 60_000);

  it('after the renewal could not happen (asleep, offline), a refused call or socket renews and goes again', async () => {
    // The page's network is down for renewals until its first session has ended.
    let offline = false;
    const flaky: typeof fetch = (input, init) =>
      offline && String(input).endsWith('/v1/auth/publishable') ? Promise.reject(new TypeError('fetch failed')) : fromSite(input, init);
    const client = await SaysoClient.fromPublishableKey(gateway.gw.url, key, { fetch: flaky, WebSocket, maxRetries: 0 });
    const first = client.session!;
    offline = true;
    const states: LiveState[] = [];
    const events: LiveEvent[] = [];
    const errors: unknown[] = [];
    const sub = client.live({ onEvent: (e) => events.push(e), onStateChange: (s) => states.push(s), onError: (e) => errors.push(e) });
    await until(() => sub.state === 'open', 'live updates to open');

    // The gateway ends the live socket with the session; the renewal it asks for fails while offline.
    await until(() => states.includes('reconnecting'), 'the live socket to be closed at the end of the session', 20_000, 100);
    expect(await refused(first.token)).toBe(401);
    expect(client.token).toBe(first.token);
    offline = false;

    // REST: the call is refused with the old token, renews, and goes again.
    const task = await client.tasks.create({ title: 'Reply to the landlord' });
    expect(client.token).not.toBe(first.token);
    // Live: the subscription reconnects with the renewed session and delivers the change.
    await until(() => events.some((e) => e.type === 'task_update' && e.data.task.id === task.id), 'the change on the resumed live socket', 40_000);
    expect(sub.state).toBe('open');
    expect(errors).toEqual([]);
    sub.close();
  }, 90_000);
});
