import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorBody, type Task } from '@sayso/protocol';
import { MemoryBus } from '../src/bus/memory-bus.js';
import { readConfig } from '../src/config.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { events, habitCheckins, habits, idempotencyKeys, journalEntries, tasks } from '../src/store/schema.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Every rejected request must answer with the one error shape, name what to fix, and write nothing.

interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

interface Send {
  token?: string;
  json?: unknown;
  /** A body sent as is (with `Content-Type: application/json` unless `headers` says otherwise). */
  raw?: string;
  headers?: Record<string, string>;
}

let t: TestStore;
let gw: Gateway;
let token: string;
let existing: Task;

async function api<T = unknown>(method: string, path: string, send: Send = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = {};
  if (send.token) headers['authorization'] = `Bearer ${send.token}`;
  const body = send.raw ?? (send.json === undefined ? undefined : JSON.stringify(send.json));
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(gw.url + path, { method, headers: { ...headers, ...send.headers }, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Checks the one error shape every failure has, and returns the error for more checks. */
function expectError(reply: Reply, status: number, code: keyof typeof ERROR_STATUS): ErrorBody['error'] {
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  const { error } = reply.body as ErrorBody;
  expect({ status: reply.status, code: error?.code }).toEqual({ status, code });
  expect(ERROR_STATUS[code]).toBe(status);
  expect(Object.keys(reply.body as object)).toEqual(['error']);
  expect(Object.keys(error).filter((k) => !['code', 'message', 'details', 'requestId'].includes(k))).toEqual([]);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(20);
  expect(error.requestId).toBe(reply.headers.get('x-request-id'));
  expect(error.requestId).toMatch(/\S/);
  return error;
}

async function rowCounts() {
  const n = async (table: PgTable) => (await gw.store.db.select({ n: count() }).from(table))[0]!.n;
  return {
    events: await n(events),
    tasks: await n(tasks),
    journal: await n(journalEntries),
    habits: await n(habits),
    checkins: await n(habitCheckins),
    idempotencyKeys: await n(idempotencyKeys),
  };
}

let baseline: Awaited<ReturnType<typeof rowCounts>>;
let existingAsServed: unknown;

beforeAll(async () => {
  t = await openTestStore('pglite');
  gw = await startGateway(readConfig({ SAYSO_PORT: '0', SAYSO_LOG_LEVEL: 'silent' }), {
    store: t.store,
    bus: new MemoryBus(),
    embedder: new HashEmbedder(),
  });
  const signIn = await api<{ token: string }>('POST', '/v1/auth/local', { json: { name: 'Val' } });
  token = signIn.body.token;
  // One task to aim rejected patches at; everything else stays empty.
  existing = (await api<Task>('POST', '/v1/tasks', { token, json: { title: 'Existing task' } })).body;
  existingAsServed = (await api('GET', `/v1/tasks/${existing.id}`, { token })).body;
  baseline = await rowCounts();
});

afterAll(async () => {
  await gw?.close();
  await t?.close();
});

// After every rejected request: no row anywhere, no event, and the one task exactly as it was.
afterEach(async () => {
  expect(await rowCounts()).toEqual(baseline);
  expect((await api('GET', `/v1/tasks/${existing.id}`, { token })).body).toEqual(existingAsServed);
  expect((await api('GET', '/v1/tasks', { token })).body).toEqual({ items: [existingAsServed], nextCursor: null });
  expect((await api('GET', '/v1/journal', { token })).body).toEqual({ items: [], nextCursor: null });
  expect((await api('GET', '/v1/habits', { token })).body).toEqual({ items: [] });
});

const someId = '4a0b3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d';
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Case {
  scenario: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `:existing` is replaced by the id of the person's one task. */
  path: string;
  send?: Omit<Send, 'token'>;
  status: number;
  code: keyof typeof ERROR_STATUS;
  /** Words the message must contain, so it says what to fix. */
  says: string[];
  /** The `details[].path` zod reports, when it is a field problem. */
  field?: string;
}

const cases: Case[] = [
  {
    scenario: 'a body that is not valid JSON',
    method: 'POST', path: '/v1/tasks', send: { raw: '{"title": "Buy milk",' },
    status: 400, code: 'bad_json', says: ['JSON', 'Content-Type: application/json'],
  },
  {
    scenario: 'a JSON string instead of an object',
    method: 'POST', path: '/v1/tasks', send: { raw: '"Buy milk"' },
    status: 400, code: 'bad_json', says: ['JSON object'],
  },
  {
    scenario: 'a plain-text body',
    method: 'POST', path: '/v1/tasks', send: { raw: 'title=Buy milk', headers: { 'content-type': 'text/plain' } },
    status: 415, code: 'unsupported_media_type', says: ['Content-Type: application/json'],
  },
  {
    scenario: 'a form-encoded patch',
    method: 'PATCH', path: '/v1/tasks/:existing', send: { raw: 'title=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    status: 415, code: 'unsupported_media_type', says: ['Content-Type: application/json'],
  },
  {
    scenario: 'an unknown field on a task',
    method: 'POST', path: '/v1/tasks', send: { json: { title: 'Buy milk', colour: 'red' } },
    status: 400, code: 'validation_failed', says: ['colour'],
  },
  {
    scenario: 'an unknown field on a patch',
    method: 'PATCH', path: '/v1/tasks/:existing', send: { json: { titel: 'typo' } },
    status: 400, code: 'validation_failed', says: ['titel'],
  },
  {
    scenario: 'an unknown query parameter',
    method: 'GET', path: '/v1/tasks?colour=red', status: 400, code: 'validation_failed', says: ['colour'],
  },
  {
    scenario: 'a blank title',
    method: 'POST', path: '/v1/tasks', send: { json: { title: '   ' } },
    status: 400, code: 'validation_failed', says: ['title', 'empty'], field: 'title',
  },
  {
    scenario: 'no title at all',
    method: 'POST', path: '/v1/tasks', send: { json: { notes: 'no title' } },
    status: 400, code: 'validation_failed', says: ['title'], field: 'title',
  },
  {
    scenario: 'a due date that is not in the calendar (2026-02-30)',
    method: 'POST', path: '/v1/tasks', send: { json: { title: 'Pay rent', dueDate: '2026-02-30' } },
    status: 400, code: 'validation_failed', says: ['dueDate', 'calendar'], field: 'dueDate',
  },
  {
    scenario: 'a due date in another format',
    method: 'POST', path: '/v1/tasks', send: { json: { title: 'Pay rent', dueDate: '30/01/2026' } },
    status: 400, code: 'validation_failed', says: ['dueDate', 'YYYY-MM-DD'], field: 'dueDate',
  },
  {
    scenario: 'a patch to a date that does not exist',
    method: 'PATCH', path: '/v1/tasks/:existing', send: { json: { dueDate: '2026-02-30' } },
    status: 400, code: 'validation_failed', says: ['dueDate'], field: 'dueDate',
  },
  {
    scenario: 'a due time of 25:00',
    method: 'POST', path: '/v1/tasks', send: { json: { title: 'Call Sam', dueDate: '2026-03-01', dueTime: '25:00' } },
    status: 400, code: 'validation_failed', says: ['dueTime', 'HH:MM', '09:30'], field: 'dueTime',
  },
  {
    scenario: 'a due time without a due date',
    method: 'POST', path: '/v1/tasks', send: { json: { title: 'Call Sam', dueTime: '09:30' } },
    status: 400, code: 'validation_failed', says: ['dueTime', 'due date'], field: 'dueTime',
  },
  {
    scenario: 'a patch giving a due time to a task without a due date',
    method: 'PATCH', path: '/v1/tasks/:existing', send: { json: { dueTime: '09:30' } },
    status: 400, code: 'validation_failed', says: ['dueDate', 'dueTime'],
  },
  {
    scenario: 'a journal entry with both text and ciphertext',
    method: 'POST', path: '/v1/journal', send: { json: { text: 'Dear diary', ciphertext: 'YWJjZA==', iv: 'aXY=', keyId: 'k1' } },
    status: 400, code: 'validation_failed', says: ['text', 'ciphertext', 'not both'],
  },
  {
    scenario: 'a journal entry with neither text nor ciphertext',
    method: 'POST', path: '/v1/journal', send: { json: { mood: 3 } },
    status: 400, code: 'validation_failed', says: ['text', 'ciphertext'],
  },
  {
    scenario: 'an encrypted journal entry without its iv',
    method: 'POST', path: '/v1/journal', send: { json: { ciphertext: 'YWJjZA==', keyId: 'k1' } },
    status: 400, code: 'validation_failed', says: ['iv', 'ciphertext'], field: 'iv',
  },
  {
    scenario: 'a journal mood of 9',
    method: 'POST', path: '/v1/journal', send: { json: { text: 'Great day', mood: 9 } },
    status: 400, code: 'validation_failed', says: ['mood'], field: 'mood',
  },
  {
    scenario: 'a habit with target 0',
    method: 'POST', path: '/v1/habits', send: { json: { name: 'Read', target: 0 } },
    status: 400, code: 'validation_failed', says: ['target', '1'], field: 'target',
  },
  {
    scenario: 'a habit with an unknown cadence',
    method: 'POST', path: '/v1/habits', send: { json: { name: 'Read', cadence: 'hourly' } },
    status: 400, code: 'validation_failed', says: ['cadence', 'daily', 'weekly'], field: 'cadence',
  },
  { scenario: 'limit=0', method: 'GET', path: '/v1/tasks?limit=0', status: 400, code: 'validation_failed', says: ['limit'], field: 'limit' },
  { scenario: 'limit=201', method: 'GET', path: '/v1/tasks?limit=201', status: 400, code: 'validation_failed', says: ['limit', '200'], field: 'limit' },
  { scenario: 'limit=ten', method: 'GET', path: '/v1/journal?limit=ten', status: 400, code: 'validation_failed', says: ['limit'], field: 'limit' },
  { scenario: 'a search limit of 51', method: 'GET', path: '/v1/journal/search?q=sleep&limit=51', status: 400, code: 'validation_failed', says: ['limit', '50'], field: 'limit' },
  { scenario: 'a search without q', method: 'GET', path: '/v1/journal/search', status: 400, code: 'validation_failed', says: ['q'], field: 'q' },
  {
    scenario: 'a cursor that is not base64 JSON',
    method: 'GET', path: '/v1/tasks?cursor=not-a-cursor', status: 400, code: 'validation_failed', says: ['cursor', 'nextCursor'],
  },
  {
    scenario: 'a cursor that decodes but holds no valid id',
    method: 'GET', path: `/v1/tasks?cursor=${cursorOf(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])}`,
    status: 400, code: 'validation_failed', says: ['cursor', 'nextCursor'],
  },
  {
    scenario: 'a journal cursor that decodes but holds no valid time',
    method: 'GET', path: `/v1/journal?cursor=${cursorOf(['yesterday', someId])}`,
    status: 400, code: 'validation_failed', says: ['cursor', 'nextCursor'],
  },
  { scenario: 'a task id that is not a UUID', method: 'GET', path: '/v1/tasks/123', status: 400, code: 'validation_failed', says: ['id', 'UUID'], field: 'id' },
  {
    scenario: 'a journal id that is not a UUID',
    method: 'PATCH', path: '/v1/journal/abc', send: { json: { text: 'x' } },
    status: 400, code: 'validation_failed', says: ['id', 'UUID'], field: 'id',
  },
  {
    scenario: 'a habit id that is not a UUID',
    method: 'POST', path: '/v1/habits/xyz/checkins', send: { json: {} },
    status: 400, code: 'validation_failed', says: ['id', 'UUID'], field: 'id',
  },
  {
    scenario: 'a check-in day that does not exist',
    method: 'DELETE', path: `/v1/habits/${someId}/checkins/2026-02-30`,
    status: 400, code: 'validation_failed', says: ['day'], field: 'day',
  },
  {
    scenario: 'an If-Match that is not a version',
    method: 'PATCH', path: '/v1/tasks/:existing', send: { json: { title: 'Renamed' }, headers: { 'if-match': '"abc"' } },
    status: 400, code: 'validation_failed', says: ['If-Match', 'version'],
  },
  {
    scenario: 'an Idempotency-Key longer than 200 characters',
    method: 'POST', path: '/v1/tasks', send: { json: { title: 'Buy milk' }, headers: { 'idempotency-key': 'k'.repeat(201) } },
    status: 400, code: 'validation_failed', says: ['Idempotency-Key', 'UUID'],
  },
  {
    scenario: 'a body over 256 kB',
    method: 'POST', path: '/v1/journal', send: { json: { text: 'a'.repeat(300_000) } },
    status: 413, code: 'payload_too_large', says: ['262144', 'Send less'],
  },
  { scenario: 'an unknown route', method: 'GET', path: '/v1/nothing-here', status: 404, code: 'not_found', says: ['GET /v1/nothing-here', '/openapi.json'] },
  { scenario: 'an unknown method on a known path', method: 'DELETE', path: '/v1/tasks', status: 404, code: 'not_found', says: ['DELETE /v1/tasks', '/openapi.json'] },
  {
    scenario: 'a task that does not exist',
    method: 'PATCH', path: `/v1/tasks/${someId}`, send: { json: { title: 'x' } },
    status: 404, code: 'not_found', says: [someId],
  },
];

describe('a rejected request', () => {
  it.each(cases)('$scenario: $status $code, says what to fix, writes nothing', async (c) => {
    const path = c.path.replace(':existing', existing.id);
    const reply = await api(c.method, path, { token, ...c.send });
    const error = expectError(reply, c.status, c.code);
    for (const words of c.says) expect(error.message).toContain(words);
    if (c.field !== undefined) {
      expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: c.field })]));
    }
  });

  it('echoes the caller’s X-Request-Id in the error and the header', async () => {
    const reply = await api('GET', '/v1/tasks/123', { token, headers: { 'x-request-id': 'trace-abc-123' } });
    const error = expectError(reply, 400, 'validation_failed');
    expect(error.requestId).toBe('trace-abc-123');
  });

  it('lists every problem in details when a body has several', async () => {
    const reply = await api('POST', '/v1/tasks', { token, json: { title: '', dueDate: '2026-13-01', priority: 'urgent' } });
    const error = expectError(reply, 400, 'validation_failed');
    const paths = (error.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['title', 'dueDate', 'priority']));
    expect(error.message).toMatch(/and \d+ more problems?, see details/);
  });

  it('a stale version on a patch is a 409 that leaves the task alone', async () => {
    const reply = await api('PATCH', `/v1/tasks/${existing.id}`, { token, json: { title: 'Too late', version: existing.version + 5 } });
    const error = expectError(reply, 409, 'version_conflict');
    expect(error.message).toContain('Reload');
    expect(error.details).toMatchObject({ currentVersion: existing.version });
  });
});
