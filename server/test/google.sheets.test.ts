import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Habit, HabitUpdate, SyncStatusUpdate, Task, TaskUpdate } from '@sayso/protocol';
import { RedisBus } from '../src/bus/redis-bus.js';
import type { Gateway } from '../src/gateway.js';
import { GoogleStandIn } from '../src/integrations/google/testing/google-stand-in.js';
import { api, LiveSocket } from './support/live-socket.js';
import { signInWithGoogle, startGoogleGateway, syncIdle, until } from './support/google.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Sheets two-way sync through the real Sheets and Drive clients against the stand-in.

const ON_EDIT = readFileSync(fileURLToPath(new URL('../src/integrations/google/apps-script/onEdit.gs', import.meta.url)), 'utf8');

let t: TestStore;
let standIn: GoogleStandIn;
let gw: Gateway;
const sockets: LiveSocket[] = [];

beforeAll(async () => {
  t = await openTestStore('pglite');
  standIn = await new GoogleStandIn().start();
  gw = await startGoogleGateway(t.store, standIn);
});

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await gw?.close();
  await standIn?.stop();
  await t?.close();
});

interface Linked {
  id: string;
  spreadsheetId: string;
  webhook: { url: string; secret: string };
}

let n = 0;
/** A person signed in with Google, with a new spreadsheet linked and a live socket open. */
async function personWithSheet() {
  n += 1;
  const google = { sub: `sheet-sub-${n}`, email: `sheet${n}@example.com`, name: `Sheet ${n}` };
  const { token, user } = await signInWithGoogle(gw, standIn, google);
  const live = await new LiveSocket(gw.url, token).ready();
  sockets.push(live);
  const linked = await api<Linked>(gw.url, token, 'POST', '/v1/google/sheets', {});
  expect(linked.status).toBe(200);
  const sheet = linked.body;
  const rows = (tab = 'Tasks') => standIn.sheets.rows(sheet.spreadsheetId, tab);
  const rowOf = (id: string, tab = 'Tasks') => rows(tab).find((r) => r[0] === id);
  return { token, user, live, sheet, rows, rowOf };
}

/** Runs the shipped Apps Script's trigger function, as Google would on an edit, and sends its request. */
async function runOnEdit(webhook: Linked['webhook']): Promise<number> {
  let sent: { url: string; options: { method: string; payload: string; headers: Record<string, string>; contentType: string } } | undefined;
  runInNewContext(`${ON_EDIT}\nsaysoChanged();`, {
    PropertiesService: { getScriptProperties: () => ({ getProperty: (k: string) => ({ SAYSO_URL: webhook.url, SAYSO_SECRET: webhook.secret })[k] ?? null }) },
    // Apps Script gives signed Java bytes.
    Utilities: { computeHmacSha256Signature: (value: string, key: string) => [...createHmac('sha256', key).update(value).digest()].map((b) => (b > 127 ? b - 256 : b)) },
    UrlFetchApp: { fetch: (url: string, options: NonNullable<typeof sent>['options']) => void (sent = { url, options }) },
  });
  const res = await fetch(sent!.url, { method: 'POST', headers: { ...sent!.options.headers, 'content-type': sent!.options.contentType }, body: sent!.options.payload });
  return res.status;
}

const taskEvent = (live: LiveSocket, test: (e: TaskUpdate) => boolean) => live.until(() => live.events.some((e) => e.type === 'task_update' && test(e)), 'a task_update');

describe('Sheets sync', () => {
  it('tasks (REST and voice) and habits appear as rows under a readable header', async () => {
    const { token, rows, rowOf } = await personWithSheet();
    const rest = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Buy oat milk', dueDate: '2030-01-05', priority: 'high' })).body;
    const turn = await api<{ outcome: { item: { id: string } } }>(gw.url, token, 'POST', '/v1/turns', { text: 'add renew my passport to my list' });
    const habit = (await api<Habit>(gw.url, token, 'POST', '/v1/habits', { name: 'Meditate', target: 1 })).body;
    await until(() => rowOf(rest.id) && rowOf(turn.body.outcome.item.id) && rowOf(habit.id, 'Habits'), 'the rows');
    expect(rows()[0]).toEqual(['ID (do not edit)', 'Title', 'Status', 'Due date', 'Due time', 'List', 'Priority', 'Notes']);
    expect(rowOf(rest.id)).toEqual([rest.id, 'Buy oat milk', 'open', '2030-01-05', '', 'inbox', 'high']);
    expect(rows('Habits')[0]).toEqual(['ID (do not edit)', 'Name', 'Cadence', 'Target']);
    expect(rowOf(habit.id, 'Habits')).toEqual([habit.id, 'Meditate', 'daily', '1']);
  });

  it('an edit in the sheet (signed Apps Script webhook) changes the task and reaches a live client', async () => {
    const { token, live, sheet, rowOf } = await personWithSheet();
    const task = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Water the plants' })).body;
    await until(() => rowOf(task.id), 'the row');
    standIn.sheets.editRow(sheet.spreadsheetId, 'Tasks', task.id, { Title: 'Water the plants and the herbs', Status: 'done' });
    expect(await runOnEdit(sheet.webhook)).toBe(202);
    await taskEvent(live, (e) => e.source === 'sheets' && e.data.task.id === task.id && e.data.op === 'completed');
    expect((await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({ title: 'Water the plants and the herbs', status: 'done' });
  });

  it('refuses a webhook call with a wrong signature', async () => {
    const { sheet } = await personWithSheet();
    expect(await runOnEdit({ url: sheet.webhook.url, secret: 'not-the-secret' })).toBe(401);
  });

  it('a row typed in the sheet becomes a task and gets its id; a habit renamed in the sheet is renamed', async () => {
    const { token, live, sheet, rows } = await personWithSheet();
    const habit = (await api<Habit>(gw.url, token, 'POST', '/v1/habits', { name: 'Run' })).body;
    await until(() => rows('Habits').some((r) => r[0] === habit.id), 'the habit row');
    standIn.sheets.appendRow(sheet.spreadsheetId, 'Tasks', ['', 'Call the plumber', '', '2030-02-01', '9:30']);
    standIn.sheets.editRow(sheet.spreadsheetId, 'Habits', habit.id, { Name: 'Run 5k', Target: '3' });
    await runOnEdit(sheet.webhook);
    await taskEvent(live, (e) => e.source === 'sheets' && e.data.op === 'created');
    const created = live.events.find((e): e is TaskUpdate => e.type === 'task_update' && e.data.op === 'created')!.data.task;
    expect(created).toMatchObject({ title: 'Call the plumber', dueDate: '2030-02-01', dueTime: '09:30', source: 'sheets' });
    await until(() => rows().some((r) => r[0] === created.id && r[1] === 'Call the plumber' && r[4] === '09:30'), 'the id written back');
    await live.until(() => live.events.some((e) => e.type === 'habit_update' && e.source === 'sheets'), 'a habit_update');
    const renamed = live.events.find((e): e is HabitUpdate => e.type === 'habit_update' && e.source === 'sheets')!.data.habit;
    expect(renamed).toMatchObject({ id: habit.id, name: 'Run 5k', target: 3 });
  });

  it('deletions flow both ways', async () => {
    const { token, sheet, rowOf } = await personWithSheet();
    const a = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Delete me in Sayso' })).body;
    const b = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Delete me in the sheet' })).body;
    await until(() => rowOf(a.id) && rowOf(b.id), 'both rows');
    await api(gw.url, token, 'DELETE', `/v1/tasks/${a.id}`);
    await until(() => !rowOf(a.id), 'the row deleted');
    standIn.sheets.deleteRow(sheet.spreadsheetId, 'Tasks', b.id);
    await runOnEdit(sheet.webhook);
    await until(async () => (await api(gw.url, token, 'GET', `/v1/tasks/${b.id}`)).status === 404, 'the task deleted');
  });

  it('concurrent edits on both sides lose nothing: merged by field, the losing value kept in the sync log', async () => {
    const { token, user, live, sheet, rowOf } = await personWithSheet();
    const task = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Book flights' })).body;
    await until(() => rowOf(task.id), 'the row');
    await syncIdle(t.store, user.id);
    // Both sides change the title; the sheet also adds notes and Sayso a priority. Neither side has seen the other.
    standIn.sheets.editRow(sheet.spreadsheetId, 'Tasks', task.id, { Title: 'Book flights to Lisbon', Notes: 'window seat' });
    const patched = await api<Task>(gw.url, token, 'PATCH', `/v1/tasks/${task.id}`, { title: 'Book flights for May', priority: 'high', version: task.version });
    expect(patched.status).toBe(200);

    await until(() => rowOf(task.id)?.[7] === 'window seat' && rowOf(task.id)?.[1] === 'Book flights for May' && rowOf(task.id)?.[6] === 'high', 'the merged row');
    const now = (await api<Task>(gw.url, token, 'GET', `/v1/tasks/${task.id}`)).body;
    expect(now).toMatchObject({ title: 'Book flights for May', priority: 'high', notes: 'window seat' });

    const log = await api<{ items: Array<{ outcome: string; entityId: string; details: { fields: Array<{ field: string; sayso: string; google: string; kept: string }> } }> }>(gw.url, token, 'GET', '/v1/sync/log?outcome=conflict');
    expect(log.body.items).toHaveLength(1);
    expect(log.body.items[0]).toMatchObject({ entityId: task.id, details: { fields: [{ field: 'title', sayso: 'Book flights for May', google: 'Book flights to Lisbon', kept: 'sayso' }] } });
    const status = await api<{ sheets: { conflicts: number } }>(gw.url, token, 'GET', '/v1/google/status');
    expect(status.body.sheets.conflicts).toBe(1);
    await live.until(() => live.events.some((e) => e.type === 'sync_status' && e.data.conflicts === 1), 'a sync_status with the conflict');
    expect(live.events.find((e): e is SyncStatusUpdate => e.type === 'sync_status' && e.data.conflicts === 1)!.data.provider).toBe('sheets');
  });

  it('429 from Sheets is retried after Retry-After, and the rows still arrive', async () => {
    const { token, rowOf } = await personWithSheet();
    await until(async () => (await api<{ sheets: { lastSyncAt: string | null } }>(gw.url, token, 'GET', '/v1/google/status')).body.sheets.lastSyncAt, 'the first pass');
    const before = standIn.requests.length;
    standIn.failNext(/^POST \/v4\/spreadsheets\/[^/]+\/values:batchUpdate$|\/values\/.*:append$/, 2, 429, '1');
    const task = (await api<Task>(gw.url, token, 'POST', '/v1/tasks', { title: 'Pay rent' })).body;
    await until(() => rowOf(task.id), 'the row', 20_000);
    const writes = standIn.requests.slice(before).filter((r) => r.method === 'POST' && /values/.test(r.path));
    expect(writes.map((r) => r.status)).toEqual([429, 429, 200]);
  });
});

describe('two gateways on one database and one Redis', () => {
  const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `sayso-test-google-${process.pid}:`;
  const buses = [new RedisBus(REDIS_URL, { prefix }), new RedisBus(REDIS_URL, { prefix })];
  let a: Gateway;
  let b: Gateway;

  beforeAll(async () => {
    [a, b] = await Promise.all([startGoogleGateway(t.store, standIn, { bus: buses[0]! }), startGoogleGateway(t.store, standIn, { bus: buses[1]! })]);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all(buses.map((bus) => bus.close()));
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('each change is written to Google once, whichever gateway took it', async () => {
    const google = { sub: 'two-gateways', email: 'two@example.com', name: 'Two' };
    const { token } = await signInWithGoogle(a, standIn, google);
    const sheet = (await api<Linked>(b.url, token, 'POST', '/v1/google/sheets', {})).body;
    expect((await api(a.url, token, 'POST', '/v1/google/calendar', {})).status).toBe(200);
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api<Task>(i % 2 ? a.url : b.url, token, 'POST', '/v1/tasks', { title: `Task ${i}`, dueDate: '2030-03-01', dueTime: `${String(8 + i).padStart(2, '0')}:00` })),
    );
    const ids = made.map((m) => m.body.id);
    const rows = () => standIn.sheets.rows(sheet.spreadsheetId, 'Tasks').slice(1);
    const events = () => standIn.calendar.events(google.sub).filter((e) => e.status === 'confirmed');
    await until(() => ids.every((id) => rows().some((r) => r[0] === id)) && events().length >= 12, 'every row and event');
    await a.google!.runner.stop();
    await b.google!.runner.stop();
    expect(rows().map((r) => r[0]).sort()).toEqual([...ids].sort());
    expect(events().map((e) => e.extendedProperties?.private?.['saysoTaskId']).sort()).toEqual([...ids].sort());
  });
});
