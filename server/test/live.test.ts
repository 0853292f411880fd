import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { api, LiveSocket, signIn } from './support/live-socket.js';
import { createUser, openTestStore, type TestStore } from './support/stores.js';
import { Sessions } from '../src/http/sessions.js';

describe('live updates over /v1/live', () => {
  let db: TestStore;
  let gw: Gateway;
  let token: string;
  const sockets: LiveSocket[] = [];
  const open = (lastEventId?: number, t = token) => {
    const s = new LiveSocket(gw.url, t, lastEventId);
    sockets.push(s);
    return s.ready();
  };
  const createTask = async (title: string) => {
    const res = await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title });
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_LIVE_MAX_BUFFER_BYTES: '65536' });
    gw = await startGateway(config, { store: db.store, bus: new MemoryBus(), embedder: new HashEmbedder() });
    token = await signIn(gw.url);
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await gw?.close();
    await db?.close();
  });

  it('a task created over REST reaches a subscriber as a typed task_update', async () => {
    const live = await open();
    const task = await createTask('Call the dentist');
    await live.untilEvents(1);
    const [event] = live.events;
    expect(event).toMatchObject({ v: 1, type: 'task_update', source: 'api', data: { op: 'created', task: { id: task.id, title: 'Call the dentist' } } });
    const hello = live.messages[0];
    expect(hello?.type).toBe('hello');
    expect(event!.id).toBe((hello as { lastEventId: number }).lastEventId + 1);
  });

  it('delivers a burst of changes in order with consecutive ids', async () => {
    const live = await open();
    const start = live.lastEventId;
    await Promise.all(Array.from({ length: 20 }, (_, i) => createTask(`burst ${i}`)));
    await live.untilEvents(20);
    expect(live.events.map((e) => e.id)).toEqual(Array.from({ length: 20 }, (_, i) => start + i + 1));
  });

  it('after a forced disconnect, resuming from the last id seen misses nothing and repeats nothing', async () => {
    const first = await open();
    await createTask('before the drop');
    await first.untilEvents(1);
    const seen = first.lastEventId;
    first.ws.terminate(); // as a network drop: no close handshake
    const whileAway = [await createTask('away 1'), await createTask('away 2'), await createTask('away 3')];
    const again = await open(seen);
    await again.untilEvents(3);
    await createTask('after the return');
    await again.untilEvents(4);
    const ids = again.events.map((e) => e.id);
    expect(ids).toEqual([seen + 1, seen + 2, seen + 3, seen + 4]);
    const titles = again.events.map((e) => (e.type === 'task_update' ? e.data.task.title : ''));
    expect(titles).toEqual([...whileAway.map((t) => t.title), 'after the return']);
  });

  it('resume with an id from before retained history asks the client to resync', async () => {
    const live = await open();
    await createTask('x');
    await live.untilEvents(1);
    const { events } = await import('../src/store/schema.js');
    const { lte, and, eq } = await import('drizzle-orm');
    const me = (await api<{ id: string }>(gw.url, token, 'GET', '/v1/me')).body.id;
    await db.store.db.delete(events).where(and(eq(events.userId, me), lte(events.seq, 2))); // as retention pruning does
    const late = await open(0);
    await late.until(() => late.messages.some((m) => m.type === 'resync_required'), 'resync_required');
  });

  it('another person never receives my events', async () => {
    const other = await gw.users.findOrCreate('test:other', 'Other');
    const otherToken = (await gw.sessions.issue(other.id)).token;
    const theirs = await open(undefined, otherToken);
    const mine = await open();
    await createTask('private');
    await mine.untilEvents(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(theirs.events).toEqual([]);
  });

  it('a client that stops reading is dropped and does not stall the others', async () => {
    const slow = await open();
    const fast = await open();
    // Stop reading at the TCP level: the gateway's send buffer for this socket fills up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // ~5 MB of events: more than the kernel's loopback buffers hold, so the gateway's own buffer grows.
    const notes = 'n'.repeat(10_000);
    for (let i = 0; i < 500; i++) {
      const res = await api(gw.url, token, 'POST', '/v1/tasks', { title: `bulk ${i}`, notes });
      expect(res.status).toBe(201);
    }
    await fast.untilEvents(500, 30_000);
    expect(fast.events.map((e) => e.id)).toEqual(Array.from({ length: 500 }, (_, i) => fast.events[0]!.id + i));
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.until(() => slow.closeCode !== undefined, 'slow client closed');
    expect(slow.closeCode).toBe(4008);
  });

  it('rejects a socket without a valid token with 4401', async () => {
    const bad = new LiveSocket(gw.url, 'not-a-token');
    sockets.push(bad);
    await bad.until(() => bad.closeCode !== undefined, 'close');
    expect(bad.closeCode).toBe(4401);
  });

  it('answers ping, and explains a malformed message without closing', async () => {
    const live = await open();
    live.ws.send('{not json');
    live.ws.send(JSON.stringify({ type: 'ping', nonce: 'n1' }));
    await live.until(() => live.messages.some((m) => m.type === 'pong'), 'pong');
    const error = live.messages.find((m) => m.type === 'error');
    expect(error).toBeDefined();
    expect(live.closeCode).toBeUndefined();
  });

  it('takes a renewed session on an open socket, for the same person only', async () => {
    const live = await open();
    const sessions = await Sessions.open(db.store.db, { ttlHours: 1 });
    const stranger = await sessions.issue(await createUser(db.store));
    const renewed = await signIn(gw.url);
    const answers = () => live.messages.filter((m) => m.type === 'authed' || m.type === 'error');

    const answer = async (token: string) => {
      const n = answers().length;
      live.ws.send(JSON.stringify({ type: 'auth', token }));
      await live.until(() => answers().length > n, 'the answer to auth');
      return answers()[n];
    };
    const other = await answer(stranger.token);
    const junk = await answer('not-a-token');
    const same = await answer(renewed);
    expect(other).toMatchObject({ type: 'error', error: { code: 'unauthorized', message: expect.stringContaining('another person') } });
    expect(junk).toMatchObject({ type: 'error', error: { code: 'unauthorized', message: expect.stringContaining('invalid or expired') } });
    expect(same).toMatchObject({ type: 'authed' });
    expect(Date.parse((same as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now());
    // Still this person's socket: their changes keep arriving.
    const before = live.events.length;
    await createTask('after renewal');
    await live.untilEvents(before + 1);
    expect(live.closeCode).toBeUndefined();
  });
});
