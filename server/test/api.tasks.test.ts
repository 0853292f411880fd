import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ErrorBody, Habit, HabitCheckin, JournalEntry, JournalSearchHit, Page, Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { todayIn } from '../src/domain/paging.js';
import { addDays } from '../src/domain/streaks.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { request, type Reply } from './support/http.js';
import { openTestStore, type TestStore } from './support/stores.js';

// The REST behaviours of tasks, journal and habits, as a client sees them.


let t: TestStore;
let gw: Gateway;

const api = <T = unknown>(token: string, method: string, path: string, send?: { json?: unknown; headers?: Record<string, string> }) =>
  request<T>(gw.url, token, method, path, send);

/** The body of a 2xx reply; anything else fails the test with the server's message. */
async function ok<T>(reply: Promise<Reply<T>>): Promise<T> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`expected success, got ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

const errorOf = (reply: Reply) => (reply.body as ErrorBody).error;

/** A fresh person with a token: each scenario group works on its own data. */
async function newPerson(label: string): Promise<string> {
  const user = await gw.users.findOrCreate(`test:${label}:${randomUUID()}`, label);
  return (await gw.sessions.issue(user.id)).token;
}

/** Every page of a list, following `nextCursor`. */
async function allPages<T>(token: string, path: string): Promise<{ pages: T[][]; items: T[] }> {
  const pages: T[][] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page: Page<T> = await ok(api<Page<T>>(token, 'GET', `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`));
    pages.push(page.items);
    cursor = page.nextCursor;
    if (pages.length > 50) throw new Error('pagination does not end');
  } while (cursor);
  return { pages, items: pages.flat() };
}

const newestFirst = (x: { createdAt: string; id: string }, y: { createdAt: string; id: string }) =>
  y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id);
const ids = (items: Array<{ id: string }>) => items.map((i) => i.id);
const sorted = (list: string[]) => [...list].sort();

// Every person here is in UTC (the default), so "today" is the UTC day.
const today = () => todayIn('UTC');

beforeAll(async () => {
  t = await openTestStore('pglite');
  gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' }), {
    store: t.store,
    bus: new MemoryBus(),
    embedder: new HashEmbedder(),
  });
});

afterAll(async () => {
  await gw?.close();
  await t?.close();
});

describe('tasks', () => {
  let token: string;
  beforeAll(async () => {
    token = await newPerson('tasks');
  });

  it('create answers 201 with the defaults filled in', async () => {
    const reply = await api<Task>(token, 'POST', '/v1/tasks', { json: { title: '  Buy oat milk  ' } });
    expect(reply.status).toBe(201);
    const task = reply.body;
    expect(task).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: 'Buy oat milk',
      notes: null,
      status: 'open',
      priority: 'none',
      dueDate: null,
      dueTime: null,
      list: 'inbox',
      source: 'api',
      sheetsRowId: null,
      calendarEventId: null,
      version: 1,
      createdAt: expect.any(String),
      updatedAt: task.createdAt,
      completedAt: null,
    });
    expect(Math.abs(Date.parse(task.createdAt) - Date.now())).toBeLessThan(60_000);
    expect(reply.headers.get('idempotent-replayed')).toBeNull();
  });

  it('create keeps every field given, and the source a client names (but not one it may not claim)', async () => {
    const fields = { title: 'Dentist', notes: 'Bring the form', priority: 'high', dueDate: '2026-12-01', dueTime: '09:30', list: 'health' };
    const fromWidget = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: fields, headers: { 'x-sayso-source': 'widget' } }));
    expect(fromWidget).toMatchObject({ ...fields, source: 'widget' });
    const claimingVoice = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'x' }, headers: { 'x-sayso-source': 'voice' } }));
    expect(claimingVoice.source).toBe('api');
  });

  it('get returns the task as created', async () => {
    const created = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Water plants', dueDate: '2026-12-24' } }));
    expect(await ok(api<Task>(token, 'GET', `/v1/tasks/${created.id}`))).toEqual(created);
  });

  describe('list filters', () => {
    let who: string;
    const made: Record<string, Task> = {};
    beforeAll(async () => {
      who = await newPerson('filters');
      const day = (n: number) => addDays(today(), n);
      const create = async (name: string, json: object) => {
        made[name] = await ok(api<Task>(who, 'POST', '/v1/tasks', { json: { title: name, ...json } }));
      };
      await create('workLate', { list: 'work', dueDate: day(-1) });
      await create('workDone', { list: 'work', dueDate: day(-1) });
      await ok(api(who, 'POST', `/v1/tasks/${made['workDone']!.id}/complete`));
      await create('homeSoon', { dueDate: day(1) });
      await create('homeUndated', {});
      await create('homeToday', { dueDate: day(0) });
    });
    const names = (items: Task[]) => sorted(items.map((i) => i.title));

    it.each([
      ['status=open', ['homeSoon', 'homeToday', 'homeUndated', 'workLate']],
      ['status=done', ['workDone']],
      ['list=work', ['workDone', 'workLate']],
      ['list=inbox&status=open', ['homeSoon', 'homeToday', 'homeUndated']],
      ['dueFrom={today}', ['homeSoon', 'homeToday']],
      ['dueTo={yesterday}', ['workDone', 'workLate']],
      ['dueFrom={yesterday}&dueTo={today}', ['homeToday', 'workDone', 'workLate']],
      ['overdue=true', ['workLate']],
      ['overdue=false', ['homeSoon', 'homeToday', 'homeUndated', 'workDone', 'workLate']],
    ])('?%s', async (query, expected) => {
      const q = query.replace('{today}', today()).replace('{yesterday}', addDays(today(), -1));
      const page = await ok(api<Page<Task>>(who, 'GET', `/v1/tasks?${q}`));
      expect(names(page.items)).toEqual(sorted(expected));
      expect(page.nextCursor).toBeNull();
    });
  });

  describe('cursor pagination', () => {
    let who: string;
    let created: Task[];
    beforeAll(async () => {
      who = await newPerson('pager');
      created = [];
      for (let i = 1; i <= 25; i++) created.push(await ok(api<Task>(who, 'POST', '/v1/tasks', { json: { title: `Task ${i}` } })));
    });

    it('pages of 10 hold all 25 tasks once each, newest first', async () => {
      const { pages, items } = await allPages<Task>(who, '/v1/tasks?limit=10');
      expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
      expect(new Set(ids(items)).size).toBe(25);
      expect(sorted(ids(items))).toEqual(sorted(ids(created)));
      expect(ids(items)).toEqual(ids([...created].sort(newestFirst)));
      // Created one after another, so newest first is the reverse of creation (ties broken by id).
      expect(Date.parse(items[0]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(items.at(-1)!.createdAt));
      expect(items[0]!.createdAt).toBe(created.at(-1)!.createdAt);
    });

    it('a task created between pages does not shift the next page', async () => {
      const first = await ok(api<Page<Task>>(who, 'GET', '/v1/tasks?limit=10'));
      const newcomer = await ok(api<Task>(who, 'POST', '/v1/tasks', { json: { title: 'Arrived mid-way' } }));
      const second = await ok(api<Page<Task>>(who, 'GET', `/v1/tasks?limit=10&cursor=${first.nextCursor}`));
      expect(ids(second.items)).toEqual(ids([...created].sort(newestFirst).slice(10, 20)));
      expect(ids(second.items)).not.toContain(newcomer.id);
      await ok(api(who, 'DELETE', `/v1/tasks/${newcomer.id}`));
    });

    it('a filter and a cursor combine', async () => {
      await ok(api(who, 'POST', `/v1/tasks/${created[3]!.id}/complete`));
      const { pages, items } = await allPages<Task>(who, '/v1/tasks?limit=10&status=open');
      expect(pages.map((p) => p.length)).toEqual([10, 10, 4]);
      expect(ids(items)).not.toContain(created[3]!.id);
      await ok(api(who, 'POST', `/v1/tasks/${created[3]!.id}/reopen`));
    });
  });

  describe('versions', () => {
    let task: Task;
    beforeAll(async () => {
      task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Draft report', notes: 'outline first', priority: 'low' } }));
    });

    it('PATCH with the current version applies the change and bumps the version by one', async () => {
      const reply = await api<Task>(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { title: 'Final report', version: task.version } });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ ...task, title: 'Final report', version: task.version + 1, updatedAt: expect.any(String) });
      expect(Date.parse(reply.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(task.updatedAt));
      expect(await ok(api<Task>(token, 'GET', `/v1/tasks/${task.id}`))).toEqual(reply.body);
      task = reply.body;
    });

    it('PATCH with a stale version is a 409 carrying the current task and version, and changes nothing', async () => {
      const reply = await api(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { title: 'Lost update', version: task.version - 1 } });
      expect(reply.status).toBe(409);
      const error = errorOf(reply);
      expect(error.code).toBe('version_conflict');
      expect(error.message).toContain(`version ${task.version}`);
      expect(error.details).toEqual({ expectedVersion: task.version - 1, currentVersion: task.version, current: task });
      expect(await ok(api<Task>(token, 'GET', `/v1/tasks/${task.id}`))).toEqual(task);
    });

    it('If-Match carries the version instead of the body, in any of its forms', async () => {
      const forms = (v: number) => [`"${v}"`, `W/"${v + 1}"`, String(v + 2)];
      const priorities = ['high', 'medium', 'none'] as const;
      for (const [i, ifMatch] of forms(task.version).entries()) {
        const json = { priority: priorities[i] };
        const reply = await api<Task>(token, 'PATCH', `/v1/tasks/${task.id}`, { json, headers: { 'if-match': ifMatch } });
        expect(reply.status, ifMatch).toBe(200);
        expect(reply.body).toMatchObject({ ...json, version: task.version + 1 });
        task = reply.body;
      }
      const stale = await api(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { priority: 'low' }, headers: { 'if-match': '"1"' } });
      expect(stale.status).toBe(409);
      expect(errorOf(stale).details).toMatchObject({ currentVersion: task.version });
    });

    it('a body version and an If-Match that disagree are a 400 naming both', async () => {
      const reply = await api(token, 'PATCH', `/v1/tasks/${task.id}`, {
        json: { title: 'Either', version: task.version },
        headers: { 'if-match': `"${task.version + 1}"` },
      });
      expect(reply.status).toBe(400);
      expect(errorOf(reply).code).toBe('validation_failed');
      expect(errorOf(reply).message).toContain(`version ${task.version}`);
      expect(errorOf(reply).message).toContain(`If-Match says ${task.version + 1}`);
      expect(await ok(api<Task>(token, 'GET', `/v1/tasks/${task.id}`))).toEqual(task);
    });

    it('a body version and an If-Match that agree are fine', async () => {
      const reply = await api<Task>(token, 'PATCH', `/v1/tasks/${task.id}`, {
        json: { notes: null, version: task.version },
        headers: { 'if-match': `"${task.version}"` },
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ notes: null, version: task.version + 1 });
      task = reply.body;
    });

    it('PATCH without any version still applies (last write wins) and bumps the version', async () => {
      const reply = await ok(api<Task>(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { list: 'work' } }));
      expect(reply).toMatchObject({ list: 'work', version: task.version + 1 });
      task = reply;
    });
  });

  describe('complete and reopen', () => {
    it('complete sets status done and completedAt; reopen clears it; each bumps the version', async () => {
      const task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Take out bins' } }));
      const before = Date.now();
      const done = await ok(api<Task>(token, 'POST', `/v1/tasks/${task.id}/complete`, { json: { version: 1 } }));
      expect(done).toMatchObject({ status: 'done', version: 2 });
      expect(Date.parse(done.completedAt!)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(done.completedAt!)).toBeLessThanOrEqual(Date.now() + 1000);
      expect(await ok(api<Task>(token, 'GET', `/v1/tasks/${task.id}`))).toEqual(done);

      const open = await ok(api<Task>(token, 'POST', `/v1/tasks/${task.id}/reopen`, { headers: { 'if-match': '"2"' } }));
      expect(open).toMatchObject({ status: 'open', completedAt: null, version: 3 });
    });

    it('complete with a stale version is a 409 and the task stays open', async () => {
      const task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Renew passport' } }));
      await ok(api(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { notes: 'photos' } }));
      const reply = await api(token, 'POST', `/v1/tasks/${task.id}/complete`, { json: { version: 1 } });
      expect(reply.status).toBe(409);
      expect(errorOf(reply).details).toMatchObject({ currentVersion: 2, current: { status: 'open' } });
      expect((await ok(api<Task>(token, 'GET', `/v1/tasks/${task.id}`))).status).toBe('open');
    });

    it('PATCH status done also stamps completedAt', async () => {
      const task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Book flights' } }));
      const done = await ok(api<Task>(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { status: 'done' } }));
      expect(done.completedAt).not.toBeNull();
    });
  });

  describe('delete', () => {
    it('answers with the task as it was; afterwards GET is 404 and the list leaves it out', async () => {
      const task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Cancel gym' } }));
      const deleted = await api<Task>(token, 'DELETE', `/v1/tasks/${task.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ id: task.id, title: 'Cancel gym' });

      const get = await api(token, 'GET', `/v1/tasks/${task.id}`);
      expect(get.status).toBe(404);
      expect(errorOf(get).code).toBe('not_found');
      const { items } = await allPages<Task>(token, '/v1/tasks?limit=200');
      expect(ids(items)).not.toContain(task.id);
      expect((await api(token, 'DELETE', `/v1/tasks/${task.id}`)).status).toBe(404);
      expect((await api(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { title: 'Back?' } })).status).toBe(404);
      expect((await api(token, 'POST', `/v1/tasks/${task.id}/complete`)).status).toBe(404);
    });

    it('with a stale If-Match is a 409 and the task stays', async () => {
      const task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Keep me' } }));
      await ok(api(token, 'PATCH', `/v1/tasks/${task.id}`, { json: { title: 'Keep me, edited' } }));
      expect((await api(token, 'DELETE', `/v1/tasks/${task.id}`, { headers: { 'if-match': '"1"' } })).status).toBe(409);
      expect((await api(token, 'GET', `/v1/tasks/${task.id}`)).status).toBe(200);
    });
  });

  describe('Idempotency-Key', () => {
    const titled = async (who: string, title: string) =>
      (await allPages<Task>(who, '/v1/tasks?limit=200')).items.filter((i) => i.title === title);

    it('the same key and body twice make one task; the replay says so and returns the same task', async () => {
      const key = randomUUID();
      const json = { title: 'Pay electricity bill', dueDate: '2026-12-15' };
      const first = await api<Task>(token, 'POST', '/v1/tasks', { json, headers: { 'idempotency-key': key } });
      const second = await api<Task>(token, 'POST', '/v1/tasks', { json, headers: { 'idempotency-key': key } });
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(ids(await titled(token, json.title))).toEqual([first.body.id]);
    });

    it('the same key with another body is a 409 idempotency_conflict and creates nothing', async () => {
      const key = randomUUID();
      const first = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: 'Call mum' }, headers: { 'idempotency-key': key } }));
      const other = await api(token, 'POST', '/v1/tasks', { json: { title: 'Call dad' }, headers: { 'idempotency-key': key } });
      expect(other.status).toBe(409);
      expect(errorOf(other).code).toBe('idempotency_conflict');
      expect(errorOf(other).message).toContain('new key');
      expect(await titled(token, 'Call dad')).toEqual([]);
      expect(ids(await titled(token, 'Call mum'))).toEqual([first.id]);
    });

    it('10 concurrent POSTs with one key make exactly one task, and all get it back', async () => {
      const who = await newPerson('racer');
      const key = randomUUID();
      // The embedded store has one connection. Holding it until all ten wait for it makes every
      // request look the key up before any of them writes: the race itself, not ten turns in a queue.
      const held = await gw.store.pool.connect();
      const racing = Promise.all(
        Array.from({ length: 10 }, () => api<Task>(who, 'POST', '/v1/tasks', { json: { title: 'Only once' }, headers: { 'idempotency-key': key } })),
      );
      try {
        await vi.waitFor(() => expect(gw.store.pool.waitingCount).toBeGreaterThanOrEqual(10), { timeout: 10_000 });
      } finally {
        held.release();
      }
      const replies = await racing;
      expect(replies.map((r) => r.status)).toEqual(Array(10).fill(201));
      const made = await titled(who, 'Only once');
      expect(made).toHaveLength(1);
      expect(new Set(replies.map((r) => r.body.id))).toEqual(new Set([made[0]!.id]));
      expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
      // One change, one event.
      expect(await gw.users.lastEventId((await ok(api<{ id: string }>(who, 'GET', '/v1/me'))).id)).toBe(1);
    });
  });
});

describe('journal', () => {
  let token: string;
  const entries: Record<string, JournalEntry> = {};
  beforeAll(async () => {
    token = await newPerson('journal');
  });

  it('a plain entry keeps its text, is dated today, and has no encryption fields', async () => {
    const reply = await api<JournalEntry>(token, 'POST', '/v1/journal', { json: { text: 'Long run in the park before breakfast', mood: 5 } });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      text: 'Long run in the park before breakfast', ciphertext: null, iv: null, keyId: null, mood: 5, day: today(), source: 'api', version: 1,
    });
    entries['run'] = reply.body;
    expect(await ok(api<JournalEntry>(token, 'GET', `/v1/journal/${reply.body.id}`))).toEqual(reply.body);
  });

  it('an encrypted entry keeps ciphertext, iv and keyId, and has no text', async () => {
    const json = { ciphertext: 'c2VjcmV0IHJ1biBpbiB0aGUgcGFyaw==', iv: 'MTIzNDU2Nzg5MDEy', keyId: 'device-key-1', day: '2026-11-01' };
    const reply = await api<JournalEntry>(token, 'POST', '/v1/journal', { json });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ ...json, text: null, mood: null });
    entries['secret'] = reply.body;
    expect(await ok(api<JournalEntry>(token, 'GET', `/v1/journal/${reply.body.id}`))).toEqual(reply.body);
  });

  it('search puts the entry sharing the most words first, and never returns encrypted entries', async () => {
    for (const text of ['Dinner with Sam at the Thai place', 'Work deadline moved, lots of stress', 'Slept badly, tired all day']) {
      entries[text] = await ok(api<JournalEntry>(token, 'POST', '/v1/journal', { json: { text } }));
    }
    const reply = await ok(api<{ items: JournalSearchHit[] }>(token, 'GET', `/v1/journal/search?q=${encodeURIComponent('a run in the park')}&limit=50`));
    expect(reply.items[0]?.entry).toEqual(entries['run']);
    const scores = reply.items.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(reply.items.map((h) => h.entry.id)).not.toContain(entries['secret']!.id);
    expect(reply.items.every((h) => h.entry.text !== null && h.entry.ciphertext === null)).toBe(true);
    expect(reply.items).toHaveLength(4);

    const dinner = await ok(api<{ items: JournalSearchHit[] }>(token, 'GET', '/v1/journal/search?q=dinner%20with%20Sam&limit=1'));
    expect(dinner.items.map((h) => h.entry.text)).toEqual(['Dinner with Sam at the Thai place']);
  });

  it('updating the text bumps the version and search finds the entry by its new words', async () => {
    const entry = entries['Work deadline moved, lots of stress']!;
    const updated = await api<JournalEntry>(token, 'PATCH', `/v1/journal/${entry.id}`, {
      json: { text: 'Deadline met, celebrated with cake', version: entry.version },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: entry.id, text: 'Deadline met, celebrated with cake', version: 2 });
    const hits = await ok(api<{ items: JournalSearchHit[] }>(token, 'GET', '/v1/journal/search?q=celebrated%20with%20cake&limit=3'));
    expect(hits.items[0]?.entry).toEqual(updated.body);
    const stale = await api(token, 'PATCH', `/v1/journal/${entry.id}`, { json: { text: 'Older edit', version: 1 } });
    expect(stale.status).toBe(409);
    expect(errorOf(stale)).toMatchObject({ code: 'version_conflict', details: { currentVersion: 2 } });
  });

  it('turning an encrypted entry into plain text clears its ciphertext and makes it searchable', async () => {
    const secret = entries['secret']!;
    const plain = await ok(api<JournalEntry>(token, 'PATCH', `/v1/journal/${secret.id}`, { json: { text: 'Decrypted: quiet evening reading' } }));
    expect(plain).toMatchObject({ text: 'Decrypted: quiet evening reading', ciphertext: null, iv: null, keyId: null, version: 2 });
    const hits = await ok(api<{ items: JournalSearchHit[] }>(token, 'GET', '/v1/journal/search?q=quiet%20evening%20reading&limit=1'));
    expect(hits.items[0]?.entry.id).toBe(secret.id);
  });

  it('delete erases the text; the entry is gone from get, list and search', async () => {
    const entry = entries['Slept badly, tired all day']!;
    const deleted = await ok(api<JournalEntry>(token, 'DELETE', `/v1/journal/${entry.id}`));
    expect(deleted).toMatchObject({ id: entry.id, text: null, ciphertext: null });
    expect((await api(token, 'GET', `/v1/journal/${entry.id}`)).status).toBe(404);
    expect(ids((await allPages<JournalEntry>(token, '/v1/journal')).items)).not.toContain(entry.id);
    const hits = await ok(api<{ items: JournalSearchHit[] }>(token, 'GET', '/v1/journal/search?q=slept%20badly%20tired&limit=50'));
    expect(hits.items.map((h) => h.entry.id)).not.toContain(entry.id);
  });
});

describe('habits', () => {
  let token: string;
  let habit: Habit;
  beforeAll(async () => {
    token = await newPerson('habits');
  });

  it('create answers 201 with daily cadence and target 1 by default', async () => {
    const reply = await api<Habit>(token, 'POST', '/v1/habits', { json: { name: 'Meditate' } });
    expect(reply.status).toBe(201);
    expect(reply.body).toEqual({
      id: expect.any(String), name: 'Meditate', cadence: 'daily', target: 1, version: 1,
      createdAt: expect.any(String), updatedAt: reply.body.createdAt,
    });
    habit = reply.body;
    expect(await ok(api<{ items: Habit[] }>(token, 'GET', '/v1/habits'))).toEqual({ items: [habit] });
  });

  it.each(['meditate', 'MEDITATE', '  Meditate  '])('a second habit named %j is a 409 already_exists', async (name) => {
    const reply = await api(token, 'POST', '/v1/habits', { json: { name } });
    expect(reply.status).toBe(409);
    expect(errorOf(reply)).toMatchObject({ code: 'already_exists', details: { field: 'name' } });
    expect(errorOf(reply).message).toContain(name.trim());
    expect((await ok(api<{ items: Habit[] }>(token, 'GET', '/v1/habits'))).items).toHaveLength(1);
  });

  it('renaming a habit onto another one’s name is a 409 too', async () => {
    const other = await ok(api<Habit>(token, 'POST', '/v1/habits', { json: { name: 'Journal' } }));
    const reply = await api(token, 'PATCH', `/v1/habits/${other.id}`, { json: { name: 'MEDITATE' } });
    expect(reply.status).toBe(409);
    expect(errorOf(reply).code).toBe('already_exists');
    expect(await ok(api<Habit>(token, 'GET', `/v1/habits/${other.id}`))).toEqual(other);
    await ok(api(token, 'DELETE', `/v1/habits/${other.id}`));
  });

  it('a deleted habit’s name can be used again', async () => {
    const temp = await ok(api<Habit>(token, 'POST', '/v1/habits', { json: { name: 'Cold shower' } }));
    await ok(api(token, 'DELETE', `/v1/habits/${temp.id}`));
    const again = await api<Habit>(token, 'POST', '/v1/habits', { json: { name: 'cold shower' } });
    expect(again.status).toBe(201);
    await ok(api(token, 'DELETE', `/v1/habits/${again.body.id}`));
  });

  it('checking in twice on one day keeps one check-in with the second value', async () => {
    const day = addDays(today(), -10);
    const first = await ok(api<HabitCheckin>(token, 'POST', `/v1/habits/${habit.id}/checkins`, { json: { day, value: 2, note: 'short' } }));
    const second = await ok(api<HabitCheckin>(token, 'POST', `/v1/habits/${habit.id}/checkins`, { json: { day, value: 5 } }));
    expect(second).toMatchObject({ id: first.id, habitId: habit.id, day, value: 5, note: null });
    const list = await ok(api<{ items: HabitCheckin[] }>(token, 'GET', `/v1/habits/${habit.id}/checkins?from=${day}&to=${day}`));
    expect(list.items).toEqual([second]);
  });

  it('a check-in without a body counts today, value 1', async () => {
    const checkin = await ok(api<HabitCheckin>(token, 'POST', `/v1/habits/${habit.id}/checkins`));
    expect(checkin).toMatchObject({ habitId: habit.id, day: today(), value: 1 });
  });

  it('three consecutive days ending today make a current streak of 3', async () => {
    for (const n of [-2, -1, 0]) await ok(api(token, 'POST', `/v1/habits/${habit.id}/checkins`, { json: { day: addDays(today(), n) } }));
    const stats = await ok(api<{ habitId: string; currentStreak: number; longestStreak: number; days: Array<{ day: string; value: number }> }>(
      token, 'GET', `/v1/habits/${habit.id}/stats`,
    ));
    expect(stats.habitId).toBe(habit.id);
    expect(stats.currentStreak).toBe(3);
    expect(stats.longestStreak).toBe(3);
    expect(stats.days.map((d) => d.day)).toEqual([addDays(today(), -10), addDays(today(), -2), addDays(today(), -1), today()]);
  });

  it('deleting a check-in removes it and shortens the streak', async () => {
    const day = addDays(today(), -1);
    const removed = await api<HabitCheckin>(token, 'DELETE', `/v1/habits/${habit.id}/checkins/${day}`);
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ habitId: habit.id, day });
    const list = await ok(api<{ items: HabitCheckin[] }>(token, 'GET', `/v1/habits/${habit.id}/checkins`));
    expect(list.items.map((c) => c.day)).toEqual([today(), addDays(today(), -2), addDays(today(), -10)]);
    const stats = await ok(api<{ currentStreak: number }>(token, 'GET', `/v1/habits/${habit.id}/stats`));
    expect(stats.currentStreak).toBe(1);
    const again = await api(token, 'DELETE', `/v1/habits/${habit.id}/checkins/${day}`);
    expect(again.status).toBe(404);
    expect(errorOf(again).message).toContain(day);
  });
});
