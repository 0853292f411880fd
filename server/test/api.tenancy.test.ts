import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, Habit, HabitCheckin, JournalEntry, JournalSearchHit, Page, Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { request, type Reply } from './support/http.js';
import { openTestStore, type TestStore } from './support/stores.js';

// One person's ids are worthless to another: every route answers as if they did not exist,
// and nothing of the owner's changes, not even a version number.


let t: TestStore;
let gw: Gateway;

const api = <T = unknown>(token: string, method: string, path: string, send?: { json?: unknown; headers?: Record<string, string> }) =>
  request<T>(gw.url, token, method, path, send);

async function ok<T>(reply: Promise<Reply<T>>): Promise<T> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`expected success, got ${r.status}: ${r.text}`);
  return r.body;
}

interface Person {
  id: string;
  token: string;
  task: Task;
  entry: JournalEntry;
  habit: Habit;
  checkin: HabitCheckin;
  key: { id: string };
}

async function person(subject: string, name: string, words: { task: string; entry: string; habit: string }): Promise<Person> {
  const user = await gw.users.findOrCreate(subject, name);
  const { token } = await gw.sessions.issue(user.id);
  const task = await ok(api<Task>(token, 'POST', '/v1/tasks', { json: { title: words.task, dueDate: '2020-01-01', list: 'errands' } }));
  const entry = await ok(api<JournalEntry>(token, 'POST', '/v1/journal', { json: { text: words.entry, mood: 4, day: '2026-03-01' } }));
  const habit = await ok(api<Habit>(token, 'POST', '/v1/habits', { json: { name: words.habit } }));
  const checkin = await ok(api<HabitCheckin>(token, 'POST', `/v1/habits/${habit.id}/checkins`, { json: { day: '2026-03-01', value: 2, note: 'ok' } }));
  const key = await ok(api<{ id: string }>(token, 'POST', '/v1/keys', { json: { origins: [`https://${words.habit.replace(/\W/g, '')}.example`] } }));
  return { id: user.id, token, task, entry, habit, checkin, key };
}

let a: Person;
let b: Person;

/** Everything the owner can see of their own things, as raw response text. */
async function ownerView(p: Person) {
  const get = async (path: string) => (await api(p.token, 'GET', path)).text;
  return {
    task: await get(`/v1/tasks/${p.task.id}`),
    entry: await get(`/v1/journal/${p.entry.id}`),
    habit: await get(`/v1/habits/${p.habit.id}`),
    stats: await get(`/v1/habits/${p.habit.id}/stats`),
    checkins: await get(`/v1/habits/${p.habit.id}/checkins`),
    tasks: await get('/v1/tasks'),
    journal: await get('/v1/journal'),
    habits: await get('/v1/habits'),
    keys: await get('/v1/keys'),
    lastEventId: await gw.users.lastEventId(p.id),
  };
}

beforeAll(async () => {
  t = await openTestStore('pglite');
  gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' }), {
    store: t.store,
    bus: new MemoryBus(),
    embedder: new HashEmbedder(),
  });
  a = await person('test:a', 'A', { task: 'Buy oat milk', entry: 'Dinner with Sam at the Thai place, lovely evening', habit: 'Meditate' });
  b = await person('test:b', 'B', { task: 'Fix the bike', entry: 'Rainy walk to the office', habit: 'Stretch' });
});

afterAll(async () => {
  await gw?.close();
  await t?.close();
});

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
interface OwnedRoute {
  method: Method;
  /** As in /openapi.json; `{id}` becomes the owner's id of `of`, `{day}` the owner's check-in day. */
  path: string;
  of: 'task' | 'entry' | 'habit' | 'key';
  /** Built from the owner's things, so the version is right and only ownership can stop it. */
  body?: (owner: Person) => unknown;
  headers?: (owner: Person) => Record<string, string>;
  query?: string;
}

/** Every route that takes an id. A new one must be added here (the coverage test fails until it is). */
const ownedRoutes: OwnedRoute[] = [
  { method: 'GET', path: '/v1/tasks/{id}', of: 'task' },
  { method: 'PATCH', path: '/v1/tasks/{id}', of: 'task', body: (o) => ({ title: 'Taken over', version: o.task.version }) },
  { method: 'PATCH', path: '/v1/tasks/{id}', of: 'task', body: () => ({ status: 'done' }), headers: (o) => ({ 'if-match': `"${o.task.version}"` }) },
  { method: 'DELETE', path: '/v1/tasks/{id}', of: 'task' },
  { method: 'DELETE', path: '/v1/tasks/{id}', of: 'task', headers: (o) => ({ 'if-match': String(o.task.version) }) },
  { method: 'POST', path: '/v1/tasks/{id}/complete', of: 'task' },
  { method: 'POST', path: '/v1/tasks/{id}/complete', of: 'task', body: (o) => ({ version: o.task.version }) },
  { method: 'POST', path: '/v1/tasks/{id}/reopen', of: 'task' },
  { method: 'GET', path: '/v1/journal/{id}', of: 'entry' },
  { method: 'PATCH', path: '/v1/journal/{id}', of: 'entry', body: (o) => ({ text: 'Overwritten', version: o.entry.version }) },
  { method: 'PATCH', path: '/v1/journal/{id}', of: 'entry', body: () => ({ ciphertext: 'YWJjZA==', iv: 'aXY=', keyId: 'k1' }) },
  { method: 'DELETE', path: '/v1/journal/{id}', of: 'entry' },
  { method: 'GET', path: '/v1/habits/{id}', of: 'habit' },
  { method: 'PATCH', path: '/v1/habits/{id}', of: 'habit', body: (o) => ({ name: 'Renamed', target: 5, version: o.habit.version }) },
  { method: 'DELETE', path: '/v1/habits/{id}', of: 'habit' },
  { method: 'GET', path: '/v1/habits/{id}/stats', of: 'habit' },
  { method: 'GET', path: '/v1/habits/{id}/checkins', of: 'habit' },
  { method: 'GET', path: '/v1/habits/{id}/checkins', of: 'habit', query: '?from=2026-01-01&to=2026-12-31' },
  { method: 'POST', path: '/v1/habits/{id}/checkins', of: 'habit', body: (o) => ({ day: o.checkin.day, value: 99 }) },
  { method: 'POST', path: '/v1/habits/{id}/checkins', of: 'habit' },
  { method: 'DELETE', path: '/v1/habits/{id}/checkins/{day}', of: 'habit' },
  { method: 'DELETE', path: '/v1/keys/{id}', of: 'key' },
];

const idOf = (p: Person, of: OwnedRoute['of']) => p[of].id;
const urlFor = (route: OwnedRoute, owner: Person) =>
  route.path.replace('{id}', idOf(owner, route.of)).replace('{day}', owner.checkin.day) + (route.query ?? '');

describe("another person's ids", () => {
  it('the table covers every route in /openapi.json that takes an {id}', async () => {
    const doc = (await api<{ paths: Record<string, Record<string, unknown>> }>(a.token, 'GET', '/openapi.json')).body;
    const withId = Object.entries(doc.paths)
      .filter(([path]) => path.includes('{id}'))
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    expect(withId.length).toBeGreaterThanOrEqual(14);
    const covered = new Set(ownedRoutes.map((r) => `${r.method} ${r.path}`));
    expect(withId.filter((route) => !covered.has(route))).toEqual([]);
  });

  it("B gets 404 on every route with A's ids, and A's things stay exactly as they were", async () => {
    const aBefore = await ownerView(a);
    const bBefore = await ownerView(b);
    for (const route of ownedRoutes) {
      const where = `${route.method} ${route.path}`;
      const reply = await api<ErrorBody>(b.token, route.method, urlFor(route, a), {
        ...(route.body ? { json: route.body(a) } : {}),
        ...(route.headers ? { headers: route.headers(a) } : {}),
      });
      expect(reply.status, where).toBe(404);
      expect(reply.body.error.code, where).toBe('not_found');
      // Indistinguishable from an id nobody has: nothing of A's leaks into the answer.
      expect(reply.text, where).not.toContain(a.task.title);
      expect(reply.text, where).not.toContain(a.habit.name);
      expect(reply.text, where).not.toContain('"version"');
    }
    expect(await ownerView(a)).toEqual(aBefore);
    // B's failed attempts wrote nothing of B's either.
    expect(await ownerView(b)).toEqual(bBefore);
  });

  it('B gets the same 404 for A\'s id as for an id nobody has', async () => {
    const nobodys = '0b7c1a52-3f4e-4d6a-9b8c-7d6e5f4a3b2c';
    const theirs = await api<ErrorBody>(b.token, 'GET', `/v1/tasks/${a.task.id}`);
    const none = await api<ErrorBody>(b.token, 'GET', `/v1/tasks/${nobodys}`);
    expect(theirs.status).toBe(none.status);
    expect(theirs.body.error.message.replace(a.task.id, '<id>')).toBe(none.body.error.message.replace(nobodys, '<id>'));
  });

  it('the same routes work for B on B\'s own things (so the 404s above are about ownership)', async () => {
    expect((await api(b.token, 'GET', `/v1/tasks/${b.task.id}`)).status).toBe(200);
    expect((await api(b.token, 'GET', `/v1/journal/${b.entry.id}`)).status).toBe(200);
    expect((await api(b.token, 'GET', `/v1/habits/${b.habit.id}`)).status).toBe(200);
    expect((await api(b.token, 'GET', `/v1/habits/${b.habit.id}/stats`)).status).toBe(200);
    const checkins = await api<{ items: HabitCheckin[] }>(b.token, 'GET', `/v1/habits/${b.habit.id}/checkins`);
    expect(checkins.body.items.map((c) => c.id)).toEqual([b.checkin.id]);
  });
});

describe('lists and search', () => {
  interface ListCase {
    path: string;
    items: (body: unknown) => string[];
    /** B's own ids the list must hold: B is not shown an empty list by accident. */
    own: (p: Person) => string[];
    /** A's ids that must not appear. */
    theirs: (p: Person) => string[];
  }
  const pageIds = (body: unknown) => (body as Page<{ id: string }>).items.map((i) => i.id);
  const hitIds = (body: unknown) => (body as { items: JournalSearchHit[] }).items.map((h) => h.entry.id);
  const listCases: ListCase[] = [
    { path: '/v1/tasks', items: pageIds, own: (p) => [p.task.id], theirs: (p) => [p.task.id] },
    { path: '/v1/tasks?status=open&list=errands', items: pageIds, own: (p) => [p.task.id], theirs: (p) => [p.task.id] },
    { path: '/v1/tasks?overdue=true', items: pageIds, own: (p) => [p.task.id], theirs: (p) => [p.task.id] },
    { path: '/v1/tasks?dueFrom=2019-12-31&dueTo=2020-01-02', items: pageIds, own: (p) => [p.task.id], theirs: (p) => [p.task.id] },
    { path: '/v1/journal', items: pageIds, own: (p) => [p.entry.id], theirs: (p) => [p.entry.id] },
    { path: '/v1/journal?from=2026-03-01&to=2026-03-01', items: pageIds, own: (p) => [p.entry.id], theirs: (p) => [p.entry.id] },
    { path: '/v1/habits', items: pageIds, own: (p) => [p.habit.id], theirs: (p) => [p.habit.id] },
    // A's own words: the closest entry in the whole database is A's, and B must still not get it.
    {
      path: `/v1/journal/search?q=${encodeURIComponent('Dinner with Sam at the Thai place, lovely evening')}&limit=50`,
      items: hitIds, own: (p) => [p.entry.id], theirs: (p) => [p.entry.id],
    },
  ];

  it.each(listCases)('$path shows B only B\'s things', async ({ path, items, own, theirs }) => {
    const reply = await api(b.token, 'GET', path);
    expect(reply.status).toBe(200);
    const ids = items(reply.body);
    expect(ids).toEqual(own(b));
    for (const id of theirs(a)) expect(ids).not.toContain(id);
  });

  it('the same lists show A its own things (the filters match A\'s items too)', async () => {
    for (const { path, items, own } of listCases) expect(items((await api(a.token, 'GET', path)).body), path).toEqual(own(a));
  });
});

describe('names and keys are per person', () => {
  it("B may name a habit like A's (uniqueness is per person)", async () => {
    const reply = await api<Habit>(b.token, 'POST', '/v1/habits', { json: { name: a.habit.name.toUpperCase() } });
    expect(reply.status).toBe(201);
    await ok(api(b.token, 'DELETE', `/v1/habits/${reply.body.id}`));
  });

  it("B reusing A's Idempotency-Key gets B's own new task, never A's response", async () => {
    const key = 'shared-key-0001';
    const first = await api<Task>(a.token, 'POST', '/v1/tasks', { json: { title: 'Same body' }, headers: { 'idempotency-key': key } });
    const second = await api<Task>(b.token, 'POST', '/v1/tasks', { json: { title: 'Same body' }, headers: { 'idempotency-key': key } });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect((await api(b.token, 'GET', `/v1/tasks/${second.body.id}`)).status).toBe(200);
    expect((await api(b.token, 'GET', `/v1/tasks/${first.body.id}`)).status).toBe(404);
    await ok(api(a.token, 'DELETE', `/v1/tasks/${first.body.id}`));
    await ok(api(b.token, 'DELETE', `/v1/tasks/${second.body.id}`));
  });
});
