import WebSocket from 'ws';
import { and, eq, lte } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_STREAM } from '../../server/src/domain/changes.js';
import { events } from '../../server/src/store/schema.js';
import { AuthError, SaysoClient, type LiveEvent, type LiveOptions, type LiveState, type LiveSubscription } from '../src/index.js';
import { startTestGateway } from './support/gateway.js';
import { until } from './support/until.js';

describe('client.live() against a real gateway', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let client: SaysoClient;
  const subs: LiveSubscription[] = [];

  /** Opens a subscription that records what it delivers; resolves once it is open. */
  const subscribe = async (opts: Partial<LiveOptions> = {}, using = client) => {
    const seen: LiveEvent[] = [];
    const states: LiveState[] = [];
    const sub = using.live({ ...opts, onEvent: (e) => seen.push(e), onStateChange: (s) => states.push(s) });
    subs.push(sub);
    await until(() => sub.state === 'open', 'the subscription to open');
    return { sub, seen, states };
  };
  const dropServerSockets = () => {
    for (const ws of (gateway.gw.live as unknown as { wss: { clients: Set<WebSocket> } }).wss.clients) ws.terminate();
  };
  const taskIds = (seen: LiveEvent[]) => seen.flatMap((e) => (e.type === 'task_update' ? [e.data.task.id] : []));

  beforeAll(async () => {
    gateway = await startTestGateway();
    client = await SaysoClient.signInLocal(gateway.gw.url, { WebSocket });
  });
  afterEach(() => {
    for (const sub of subs.splice(0)) sub.close();
  });
  afterAll(() => gateway?.close());

  it('delivers a change made over REST as a typed event', async () => {
    const { sub, seen } = await subscribe();
    const start = sub.lastEventId!;
    const task = await client.tasks.create({ title: 'Call the dentist' });
    await until(() => seen.length === 1, 'one event');
    expect(seen[0]).toMatchObject({ id: start + 1, type: 'task_update', data: { op: 'created', task: { id: task.id } } });
    expect(sub.lastEventId).toBe(start + 1);
  });

  it('reconnects after the gateway drops it and resumes with no missed and no repeated events', async () => {
    const { sub, seen, states } = await subscribe();
    const start = sub.lastEventId!;
    const created: string[] = [];
    const writing = (async () => {
      for (let i = 0; i < 40; i++) created.push((await client.tasks.create({ title: `during drops ${i}` })).id);
    })();
    // Drop the socket three times while writes continue, each time once it is open again.
    for (let drop = 0; drop < 3; drop++) {
      await until(() => seen.length > drop * 8, `events before drop ${drop}`);
      dropServerSockets();
      await until(() => sub.state === 'reconnecting', `reconnecting after drop ${drop}`);
      await until(() => sub.state === 'open', `open again after drop ${drop}`);
    }
    await writing;
    await until(() => seen.length >= 40, '40 events', 15_000);
    await new Promise((r) => setTimeout(r, 200)); // a repeat would arrive now
    expect(seen.map((e) => e.id)).toEqual(Array.from({ length: 40 }, (_, i) => start + i + 1));
    expect(taskIds(seen)).toEqual(created);
    expect(states.filter((s) => s === 'reconnecting')).toHaveLength(3);
    expect(sub.lastEventId).toBe(start + 40);
  });

  it('a new subscription given a saved lastEventId gets exactly what happened in between', async () => {
    const first = await subscribe();
    await client.tasks.create({ title: 'seen live' });
    await until(() => first.seen.length === 1, 'the live event');
    const saved = first.sub.lastEventId!;
    first.sub.close();
    expect(first.sub.state).toBe('closed');

    const missed = [await client.tasks.create({ title: 'while away 1' }), await client.tasks.create({ title: 'while away 2' })];
    const second = await subscribe({ lastEventId: saved });
    await until(() => second.seen.length === 2, 'the two missed events');
    expect(taskIds(second.seen)).toEqual(missed.map((t) => t.id));
    expect(second.seen.map((e) => e.id)).toEqual([saved + 1, saved + 2]);
  });

  it('passes voice transcripts through whatever their id', async () => {
    const { sub, seen } = await subscribe();
    const transcript = {
      v: 1, id: sub.lastEventId!, type: 'voice_transcript', at: new Date().toISOString(), source: 'voice',
      data: { turnId: 't1', text: 'remind me to', final: false },
    } as const;
    await gateway.gw.bus.publish(LIVE_STREAM, { userId: client.session!.user.id, event: transcript });
    await until(() => seen.length === 1, 'the transcript');
    expect(seen[0]).toMatchObject({ type: 'voice_transcript', data: { text: 'remind me to' } });
  });

  it('asks the app to reload when the history it would resume from was pruned', async () => {
    const { sub } = await subscribe();
    const old = sub.lastEventId!;
    sub.close();
    await client.tasks.create({ title: 'after the prune point' });
    const userId = client.session!.user.id;
    await gateway.gw.store.db.delete(events).where(and(eq(events.userId, userId), lte(events.seq, old + 1)));
    await client.tasks.create({ title: 'kept' });

    const resyncs: Array<{ fromEventId: number }> = [];
    const again = await subscribe({ lastEventId: old, onResync: (info) => resyncs.push(info) });
    await until(() => resyncs.length === 1, 'onResync');
    expect(resyncs[0]!.fromEventId).toBe(old + 2);
    expect(again.sub.lastEventId).toBe(old + 2);
    expect(again.seen).toEqual([]);
    await client.tasks.create({ title: 'after the resync' });
    await until(() => again.seen.length === 1, 'the next event');
    expect(again.seen[0]!.id).toBe(old + 3);
  });

  it('a rejected session (4401) stops with an AuthError instead of reconnecting', async () => {
    let sockets = 0;
    class CountingWebSocket extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets++;
      }
    }
    const stale = new SaysoClient({ baseUrl: gateway.gw.url, token: 'not-a-session-token', WebSocket: CountingWebSocket });
    const errors: AuthError[] = [];
    const states: LiveState[] = [];
    const sub = stale.live({ onEvent: () => {}, onError: (e) => errors.push(e), onStateChange: (s) => states.push(s) });
    subs.push(sub);
    await until(() => errors.length === 1, 'onError');
    expect(errors[0]).toBeInstanceOf(AuthError);
    expect(errors[0]).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect(errors[0]!.message).toMatch(/Sign in again/);
    expect(sub.error).toBe(errors[0]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sockets).toBe(1);
    expect(states).toEqual(['closed']);
  });

  it('says how to get a WebSocket when none is available', () => {
    const bare = new SaysoClient({ baseUrl: gateway.gw.url, token: client.token! });
    if ('WebSocket' in globalThis) return; // Node 22+ has one built in
    expect(() => bare.live({ onEvent: () => {} })).toThrow(/import WebSocket from 'ws'/);
  });
});
