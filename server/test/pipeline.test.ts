import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { STREAMS, type IntentMessage } from '../src/pipeline/messages.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { OfflineUnderstander } from '../src/providers/llm/offline.js';
import { FakeSTT } from '../src/providers/stt/fake.js';
import { FakeTTS } from '../src/providers/tts/fake.js';
import { events, processedTurns } from '../src/store/schema.js';
import { api, LiveSocket, signIn } from './support/live-socket.js';
import { openTestStore, type TestStore } from './support/stores.js';

interface TurnReply {
  turnId: string;
  reply: string;
  outcome: { status: string; action: { kind: string | null; action: string }; item?: { id: string } };
  timings: Record<string, number>;
  context: { last?: { id: string } };
}

// The turn pipeline end to end on text turns: understand -> act -> reply, through the bus stages.
describe('text turns through the pipeline', () => {
  let db: TestStore;
  let gw: Gateway;
  let token: string;
  let userId: string;
  const bus = new MemoryBus();
  const say = (text: string, context?: unknown) => api<TurnReply>(gw.url, token, 'POST', '/v1/turns', { text, ...(context ? { context } : {}) });
  const eventCount = async () => (await db.store.db.select({ n: count() }).from(events).where(eq(events.userId, userId)))[0]!.n;

  beforeAll(async () => {
    db = await openTestStore('pglite');
    const config = readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent', SAYSO_STAGE_CLAIM_MS: '500' });
    gw = await startGateway(config, { store: db.store, bus, embedder: new HashEmbedder(), stt: new FakeSTT(), understander: new OfflineUnderstander(), tts: new FakeTTS() });
    token = await signIn(gw.url);
    userId = (await api<{ id: string }>(gw.url, token, 'GET', '/v1/me')).body.id;
  });
  afterAll(async () => {
    await gw?.close();
    await db?.close();
  });

  it('"add call the dentist tomorrow at 9" creates the task, says so, and pushes it live with its turn id', async () => {
    const live = await new LiveSocket(gw.url, token).ready();
    const res = await say('add call the dentist tomorrow at 9');
    expect(res.status).toBe(200);
    expect(res.body.outcome.status).toBe('done');
    expect(res.body.reply).toMatch(/dentist/i);
    expect(res.body.reply).toMatch(/tomorrow at 9/);
    const task = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${res.body.outcome.item!.id}`)).body;
    expect(task).toMatchObject({ source: 'voice', dueTime: '09:00' });
    expect(task.title.toLowerCase()).toContain('dentist');
    await live.until(() => live.events.some((e) => e.type === 'turn_result'), 'turn_result');
    const change = live.events.find((e) => e.type === 'task_update');
    expect(change).toMatchObject({ source: 'voice', turnId: res.body.turnId });
    expect(res.body.timings).toHaveProperty('understand');
    expect(res.body.timings).toHaveProperty('act');
    await live.close();
  });

  it('a follow-up ("move it to friday") changes the task the last turn created', async () => {
    const first = await say('add renew my passport next monday');
    const id = first.body.outcome.item!.id;
    const before = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${id}`)).body;
    const next = await say('move it to friday', first.body.context);
    expect(next.body.outcome).toMatchObject({ status: 'done', item: { id } });
    const after = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${id}`)).body;
    expect(after.dueDate).not.toBe(before.dueDate);
    expect(new Date(`${after.dueDate}T12:00:00Z`).getUTCDay()).toBe(5);
  });

  it('"play some jazz" writes nothing and says what Sayso can do', async () => {
    const before = await eventCount();
    const res = await say('play some jazz');
    expect(res.body.outcome.status).toBe('none');
    expect(res.body.reply).toMatch(/tasks/);
    expect(await eventCount()).toBe(before);
  });

  it('a journal dictation, a habit and a check-in work by voice', async () => {
    expect((await say('journal slept badly but the long run helped')).body.outcome).toMatchObject({ status: 'done', action: { kind: 'journal' } });
    expect((await say('start a habit of meditation')).body.outcome).toMatchObject({ status: 'done', action: { kind: 'habit', action: 'create' } });
    const checkin = await say('i did my meditation');
    expect(checkin.body.outcome).toMatchObject({ status: 'done', action: { kind: 'habit', action: 'complete' } });
    expect(checkin.body.reply).toMatch(/meditation/i);
  });

  it('the same turn delivered twice to the act stage writes once and answers the same', async () => {
    const turnId = randomUUID();
    const message: IntentMessage = {
      turnId, userId, sessionId: 'test', endedAt: Date.now(), context: { timeZone: 'UTC' }, timings: {},
      text: 'add water the plants',
      understanding: { action: { kind: 'task', action: 'create', title: 'water the plants' }, confidence: 0.9, engine: 'test' },
    };
    const first = gw.replies.waitFor(turnId, 10_000);
    await bus.publish(STREAMS.intents, message);
    const a = await first;
    const second = gw.replies.waitFor(turnId, 10_000);
    await bus.publish(STREAMS.intents, message); // a retried stage
    const b = await second;
    expect(b?.reply).toBe(a?.reply);
    expect(b?.outcome.item?.id).toBe(a?.outcome.item?.id);
    const tasks = (await api<Page<Task>>(gw.url, token, 'GET', '/v1/tasks?limit=200')).body.items.filter((t) => t.title === 'water the plants');
    expect(tasks).toHaveLength(1);
    const records = await db.store.db.select().from(processedTurns).where(eq(processedTurns.turnId, turnId));
    expect(records).toHaveLength(1);
  });

  it('a spoken segment goes through speech-to-text first', async () => {
    const turnId = randomUUID();
    const reply = gw.replies.waitFor(turnId, 10_000);
    await gw.starter.speech({ userId, sessionId: 'test', turnId, pcm: FakeSTT.speak('add buy milk to my shopping list'), endedAt: Date.now(), vadMs: 5, context: { timeZone: 'UTC' } });
    const r = await reply;
    expect(r?.text).toBe('add buy milk to my shopping list');
    expect(r?.outcome).toMatchObject({ status: 'done', action: { kind: 'task', action: 'create' } });
    expect(r?.timings).toHaveProperty('stt');
    expect(r?.timings.vad).toBe(5);
  });

  it('"how was my week" is summarised by the LLM when one is configured, offline otherwise', async () => {
    const { act } = await import('../src/pipeline/act.js');
    const deps = { tasks: gw.tasks, journal: gw.journal, habits: gw.habits, turns: { result: async () => null } };
    const week = { kind: 'journal', action: 'query', summarize: true } as const;
    const seen: number[] = [];
    const summarize = async (entries: unknown[]) => (seen.push(entries.length), 'A calm week with good runs.');
    const withLlm = await act({ ...deps, summarize }, { userId, source: 'voice' }, week, { timeZone: 'UTC' });
    expect(withLlm.reply).toBe('A calm week with good runs.');
    expect(seen[0]).toBeGreaterThan(0); // the journal dictation above is this week's
    const offline = await act(deps, { userId, source: 'voice' }, week, { timeZone: 'UTC' });
    expect(offline.reply).toMatch(/You wrote 1 entry/);
  });

  it('a turn sent again with its Idempotency-Key is the same turn: one task, the same answer, even when both are in flight', async () => {
    const send = (key: string, text: string) =>
      fetch(`${gw.url}/v1/turns`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ text }),
      }).then(async (res) => ({ status: res.status, replayed: res.headers.get('idempotent-replayed'), body: (await res.json()) as TurnReply & { error?: { code: string } } }));
    const key = randomUUID();
    const title = `renew the passport ${key.slice(0, 8)}`;
    const before = await eventCount();
    // A client that timed out and sent again while the first was still running, then once more later.
    const [first, second] = await Promise.all([send(key, `add ${title}`), send(key, `add ${title}`)]);
    const third = await send(key, `add ${title}`);
    for (const r of [first, second, third]) expect(r.status).toBe(200);
    expect(new Set([first, second, third].map((r) => r.body.turnId)).size).toBe(1);
    expect(new Set([first, second, third].map((r) => r.body.outcome.item?.id)).size).toBe(1);
    expect(third.body.reply).toBe(first.body.reply);
    expect(third.replayed).toBe('true');
    const tasks = (await api<Page<Task>>(gw.url, token, 'GET', '/v1/tasks?limit=200')).body.items.filter((t) => t.title.includes(key.slice(0, 8)));
    expect(tasks).toHaveLength(1);
    expect(await eventCount()).toBe(before + 1);

    // The same key for other words is refused, and does nothing.
    const other = await send(key, 'add something else entirely');
    expect(other.status).toBe(409);
    expect(other.body.error?.code).toBe('idempotency_conflict');
    expect(await eventCount()).toBe(before + 1);
  });

  it('rejects an empty turn with a clear error', async () => {
    const res = await api<{ error: { code: string; message: string } }>(gw.url, token, 'POST', '/v1/turns', { text: '  ' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/text/);
  });
});
