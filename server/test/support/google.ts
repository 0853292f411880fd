import { createServer } from 'node:net';
import type { EventBus } from '../../src/bus/port.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { readConfig } from '../../src/config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { GoogleStandIn } from '../../src/integrations/google/testing/google-stand-in.js';
import { HashEmbedder } from '../../src/providers/embed/fake.js';
import { OfflineUnderstander } from '../../src/providers/llm/offline.js';
import { FakeSTT } from '../../src/providers/stt/fake.js';
import { FakeTTS } from '../../src/providers/tts/fake.js';
import type { Store } from '../../src/store/open-store.js';
import { syncLinks } from '../../src/store/schema.js';
import { eq } from 'drizzle-orm';

/** A port free right now (the gateway needs its URL before it starts: Google's webhook address). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A gateway with Google turned on against the stand-in. The reconciliation interval is an hour,
 * so a test sees a change arrive through the path it exercises (bus, watch channel, webhook),
 * not through a poll; tests that want the poll set `next_poll_at`.
 */
export async function startGoogleGateway(store: Store, standIn: GoogleStandIn, opts: { bus?: EventBus; env?: Record<string, string> } = {}): Promise<Gateway> {
  const port = await freePort();
  const config = readConfig({
    SAYSO_PORT: String(port),
    SAYSO_LOG_LEVEL: 'silent',
    SAYSO_GOOGLE_CLIENT_ID: 'stand-in-client.apps.googleusercontent.com',
    SAYSO_GOOGLE_CLIENT_SECRET: 'stand-in-secret',
    SAYSO_GOOGLE_BASE_URL: standIn.url,
    SAYSO_GOOGLE_WEBHOOK_URL: `http://127.0.0.1:${port}`,
    SAYSO_GOOGLE_POLL_SECONDS: '3600',
    ...opts.env,
  });
  return startGateway(config, {
    store,
    bus: opts.bus ?? new MemoryBus(),
    embedder: new HashEmbedder(),
    stt: new FakeSTT(),
    understander: new OfflineUnderstander(),
    tts: new FakeTTS(),
  });
}

/** Signs in with Google as a browser would: gateway -> Google's consent page -> callback. Returns the session. */
export async function signInWithGoogle(gw: Gateway, standIn: GoogleStandIn, user: GoogleStandIn['nextUser'], token?: string) {
  const { callbackUrl, cookie } = await consentToGoogle(gw, standIn, user, token);
  const callback = await fetch(callbackUrl, { headers: { cookie } });
  const body = (await callback.json()) as { token: string; user: { id: string }; google: { email: string } };
  if (callback.status !== 200) throw new Error(`callback answered ${callback.status}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * The browser's way up to Google's redirect back: start (sign-in, or the connect link with
 * `token`), consent. Returns the callback URL and the cookie the gateway set in this "browser".
 */
export async function consentToGoogle(gw: Gateway, standIn: GoogleStandIn, user: GoogleStandIn['nextUser'], token?: string) {
  standIn.nextUser = user;
  let start = `${gw.url}/v1/google/signin`;
  if (token) {
    const res = await fetch(`${gw.url}/v1/google/connect`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    start = ((await res.json()) as { url: string }).url;
  }
  const res = await fetch(start, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`${start} answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const back = await fetch(res.headers.get('location')!, { redirect: 'manual' });
  if (back.status !== 302) throw new Error(`consent answered ${back.status}: ${await back.text()}`);
  return { callbackUrl: back.headers.get('location')!, cookie };
}

/** Polls `check` until it returns something truthy (or throws after `timeoutMs`). */
export async function until<T>(check: () => Promise<T> | T, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until no pass is running or owed for the person's links (nothing dirty, no lease held). */
export function syncIdle(store: Store, userId: string): Promise<boolean> {
  return until(async () => {
    const links = await store.db.select().from(syncLinks).where(eq(syncLinks.userId, userId));
    return links.length > 0 && links.every((l) => l.dirtySeq === l.cleanSeq && l.leaseOwner === null);
  }, 'sync to be idle');
}
