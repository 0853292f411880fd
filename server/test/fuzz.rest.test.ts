import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorBody, type Habit, type HabitCheckin, type JournalEntry, type Task } from '@sayso/protocol';
import type { Gateway } from '../src/gateway.js';
import { GoogleStandIn } from '../src/integrations/google/testing/google-stand-in.js';
import { startGoogleGateway } from './support/google.js';
import { openTestStore, type TestStore } from './support/stores.js';

// Bad input on every route of /openapi.json, generated from the document itself: valid bodies,
// near-valid ones (one field wrong), arbitrary JSON, broken JSON, odd headers and content types,
// other people's ids. Whatever arrives: no 5xx, the one error shape for 4xx, and a rejected
// request writes nothing (the person's event sequence and row counts are the same after it).
//
// SAYSO_FUZZ_SEED and SAYSO_FUZZ_REST_RUNS vary the run; the default is fixed so the suite is repeatable.

const SEED = Number(process.env['SAYSO_FUZZ_SEED'] ?? 20261128);
const RUNS = Number(process.env['SAYSO_FUZZ_REST_RUNS'] ?? 10_000);
const LANES = 8;

interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
}
interface Param { name: string; in: 'path' | 'query'; required?: boolean; schema: Schema }
interface Operation { method: string; path: string; parameters: Param[]; body: Schema | undefined; secured: boolean }
interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Param[]; security?: unknown[]; requestBody?: { content: { 'application/json': { schema: Schema } } } }>>;
  components: { schemas: Record<string, Schema> };
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

/** One generated request, before the lane's ids and token are put in. */
interface Case {
  op: number;
  method?: string;
  params: Record<string, IdChoice | string>;
  query: Array<[string, string]>;
  body: BodyChoice;
  headers: Record<string, string>;
  auth: 'mine' | 'none' | 'garbage' | 'expired' | 'alg-none' | 'not-bearer';
}
type IdChoice = { kind: 'own' | 'own-other-kind' | 'victim' | 'random-uuid' };
type BodyChoice =
  | { kind: 'none' }
  | { kind: 'json'; text: string }
  | { kind: 'raw'; text: string; contentType: string | null; encoding?: string; gzip?: boolean };

let t: TestStore;
let standIn: GoogleStandIn;
let gw: Gateway;
let doc: OpenApi;
let ops: Operation[];
const lanes: Person[] = [];
let victim: Person;
let expiredToken: string;

const RAW = '\u0001RAW:';
/** JSON text with raw number literals JSON.stringify cannot write (1e309, -0, 1E400). */
const toJsonText = (v: unknown) => JSON.stringify(v).replace(new RegExp(`"${RAW}([^"]*)"`, 'g'), '$1');
const raw = (literal: string) => `${RAW}${literal}`;

/** An own property literally named `__proto__` (and friends): what JSON.parse makes of `{"__proto__": …}`. */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const deep = (n: number): unknown => {
  let v: unknown = 'bottom';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const nasty = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 2, '', ' ', '\t\n', 'NaN', 'Infinity', '1e309', '-0', '0x10', '\u0000',
    '\u202e\u200b', '😀'.repeat(50), 'e\u0301'.repeat(20), [], {}, [null], { __proto__: null }, '2026-02-30', '24:00', '../../etc/passwd',
    "'; drop table tasks; --", '<script>alert(1)</script>', raw('1e309'), raw('-1e309'), raw('-0'), raw('1E400'), raw('0.0000000000000000000001'),
  ),
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(101, 501, 1001, 10_001) }, { weight: 1, arbitrary: fc.constantFrom(20_001, 100_001) }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map(deep),
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);

const DAY = '^\\d{4}-\\d{2}-\\d{2}$';
const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

function resolve(s: Schema): Schema {
  return s.$ref ? resolve(doc.components.schemas[s.$ref.split('/').pop()!]!) : s;
}

/** A value the schema allows (mostly; patterns and trims are approximate, which is fine for fuzzing). */
function valid(schema: Schema, uuids: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.enum) return fc.constantFrom(...s.enum);
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'object'];
  const nonNull = types.filter((x) => x !== 'null');
  const one = (type: string | undefined): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'string': {
        if (s.format === 'uuid') return uuids;
        if (s.format === 'uri') return fc.constantFrom('https://example.com/after', 'http://127.0.0.1/x', 'javascript:alert(1)', 'https://evil.example/');
        if (s.pattern === DAY) return day;
        const max = Math.min(s.maxLength ?? 40, 40);
        if (s.pattern) return fc.stringMatching(new RegExp(s.pattern), { maxLength: max }).filter((x) => x.length <= (s.maxLength ?? Infinity));
        return fc.string({ unit: 'grapheme', minLength: Math.max(s.minLength ?? 0, 1), maxLength: Math.max(max, 1) });
      }
      case 'integer': return fc.integer({ min: s.minimum ?? -1000, max: Math.min(s.maximum ?? 1000, 100_000) });
      case 'number': return fc.double({ min: s.minimum ?? -1000, max: s.maximum ?? 1000, noNaN: true, noDefaultInfinity: true });
      case 'boolean': return fc.boolean();
      case 'array': return fc.array(valid(s.items ?? {}, uuids), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 4, 4) });
      default: {
        const props = s.properties ?? {};
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) record[k] = valid(v, uuids);
        return fc.record(record, { requiredKeys: s.required ?? [] });
      }
    }
  };
  const values = nonNull.map(one);
  return types.includes('null') ? fc.oneof(...values, fc.constant(null)) : fc.oneof(...values);
}

/** A valid body with one thing wrong: a field of the wrong type or size, a missing one, an unknown or hostile key. */
function nearValid(schema: Schema, uuids: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const names = Object.keys(s.properties ?? {});
  const key = names.length ? fc.constantFrom(...names) : fc.constant('x');
  const hostileKey = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$where', ''), fc.string({ maxLength: 10 }));
  return fc.tuple(valid(s, uuids), fc.nat(3), key, hostileKey, nasty).map(([v, how, k, hk, bad]) => {
    const obj = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
    if (how === 0) return withKey(obj, k, bad);
    if (how === 1) return withKey(obj, hk, bad);
    if (how === 2) return withKey(obj, '__proto__', { version: 1, title: 'polluted', admin: true });
    const { [k]: _dropped, ...rest } = obj;
    return rest;
  });
}

function brokenText(validText: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat(Math.max(validText.length - 1, 0)).map((n) => validText.slice(0, n)),
    fc.constantFrom('', '{', '{"a":', '{"a":1,}', "{'a':1}", 'null', 'true', '1', '"a string"', '[]', '[1,2', '\uFEFF{}', '{"a":1}{"b":2}', 'NaN', '{"a":NaN}', '{"a":1e309}', '{"a":undefined}', '\u0000'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 1000, max: 10_000 }).map((n) => `{"title":${'['.repeat(n)}${']'.repeat(n)}}`),
  );
}

/** Header values fetch will send: visible ASCII and Latin-1, or none. */
const headerText = (max: number) => fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: max });

const oddHeaders = fc.record(
  {
    'if-match': fc.oneof(fc.constantFrom('"1"', 'W/"2"', '3', '"999999999"', '"9999999999"', '*', '"-1"', '""', 'W/', '"1", "2"'), headerText(40)),
    'idempotency-key': fc.oneof(fc.uuid().map(String), fc.constantFrom('k', ' ', 'k'.repeat(200), 'k'.repeat(201), 'é'), headerText(250)),
    'x-sayso-source': fc.oneof(fc.constantFrom('api', 'widget', 'extension', 'voice', 'sheets', 'calendar', '__proto__', 'constructor'), headerText(20)),
    'x-request-id': headerText(300),
    origin: fc.oneof(fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'), headerText(60)),
  },
  { requiredKeys: [] },
).map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v.trim() === v && v !== '')) as Record<string, string>);

function bodyFor(op: Operation): fc.Arbitrary<BodyChoice> {
  const uuids = fc.oneof(fc.uuid().map(String), fc.constant('$own'), fc.constant('$victim'));
  const schema = op.body;
  const json = (a: fc.Arbitrary<unknown>) => a.map((v): BodyChoice => ({ kind: 'json', text: toJsonText(v) }));
  const validBody = schema ? valid(schema, uuids) : fc.constant({});
  const contentTypes = fc.constantFrom<string | null>(
    null, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16',
    'application/json; charset=latin1', 'application/vnd.api+json', 'application/json; charset=nope', 'application/jsonx', '*/*',
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant<BodyChoice>({ kind: 'none' }) },
    { weight: schema ? 12 : 3, arbitrary: json(validBody) },
    { weight: schema ? 18 : 3, arbitrary: json(schema ? nearValid(schema, uuids) : nasty) },
    { weight: 6, arbitrary: json(fc.jsonValue({ maxDepth: 4 })) },
    { weight: 6, arbitrary: validBody.chain((v) => brokenText(toJsonText(v))).map((text): BodyChoice => ({ kind: 'raw', text, contentType: 'application/json' })) },
    { weight: 3, arbitrary: fc.tuple(validBody, contentTypes).map(([v, contentType]): BodyChoice => ({ kind: 'raw', text: toJsonText(v), contentType })) },
    {
      weight: 3,
      arbitrary: fc.tuple(validBody, fc.constantFrom('gzip', 'deflate', 'br', 'x-nope', 'identity', 'gzip, gzip'), fc.boolean()).map(
        ([v, encoding, gzip]): BodyChoice => ({ kind: 'raw', text: toJsonText(v), contentType: 'application/json', encoding, gzip }),
      ),
    },
    { weight: 1, arbitrary: fc.constantFrom(300_000, 140_000).map((n): BodyChoice => ({ kind: 'json', text: toJsonText({ text: 'a'.repeat(n), title: 'a'.repeat(n) }) })) },
  );
}

function caseFor(index: number): fc.Arbitrary<Case> {
  const op = ops[index]!;
  const params: Record<string, fc.Arbitrary<IdChoice | string>> = {};
  for (const p of op.parameters.filter((x) => x.in === 'path')) {
    const weird = fc.oneof(
      fc.constantFrom('123', 'null', 'undefined', '0', '-1', '1e309', '..', '%2e%2e', '%00', '%ZZ', '%25', '__proto__', 'constructor', ' ', '2026-02-30', '2026-03-01',
        '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '{4a0b3c2d-1e0f-4a5b-8c7d-6e5f4a3b2c1d}', '4a0b3c2d1e0f4a5b8c7d6e5f4a3b2c1d',
        'a'.repeat(2000)),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    );
    params[p.name] = p.name === 'day'
      ? fc.oneof(day, weird)
      : fc.oneof(
        { weight: 6, arbitrary: fc.constant<IdChoice>({ kind: 'own' }) },
        { weight: 1, arbitrary: fc.constant<IdChoice>({ kind: 'own-other-kind' }) },
        { weight: 3, arbitrary: fc.constant<IdChoice>({ kind: 'victim' }) },
        { weight: 1, arbitrary: fc.constant<IdChoice>({ kind: 'random-uuid' }) },
        { weight: 2, arbitrary: weird },
      );
  }
  const queryParams = op.parameters.filter((x) => x.in === 'query');
  const goodQuery = fc.tuple(...queryParams.map((p) => fc.option(valid(p.schema, fc.uuid().map(String)).map((v) => [p.name, String(v)] as [string, string]), { nil: undefined })))
    .map((pairs) => pairs.filter((x): x is [string, string] => x !== undefined));
  const names = queryParams.length ? fc.constantFrom(...queryParams.map((p) => p.name)) : fc.constant('q');
  // Values stay short: Node answers a request line over 16 kB itself (431, no body), before the app.
  const badPair = fc.tuple(fc.oneof(names, fc.constantFrom('__proto__', 'constructor', 'colour', 'limit[]', 'a[b]', ''), fc.string({ maxLength: 8 })), nasty.map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, 600))) as fc.Arbitrary<[string, string]>;
  const query = fc.oneof(
    { weight: 4, arbitrary: goodQuery },
    { weight: 3, arbitrary: fc.tuple(goodQuery, fc.array(badPair, { minLength: 1, maxLength: 3 })).map(([a, b]) => [...a, ...b]) },
    { weight: 1, arbitrary: goodQuery.map((q) => [...q, ...q]) }, // every name twice: arrays in the parsed query
  );
  const otherMethods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD'].filter((m) => m !== op.method);
  return fc.record({
    op: fc.constant(index),
    method: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...otherMethods) }),
    params: fc.record(params),
    query,
    body: bodyFor(op),
    headers: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: oddHeaders }),
    auth: fc.oneof(
      { weight: 20, arbitrary: fc.constant('mine' as const) },
      { weight: 1, arbitrary: fc.constantFrom('none', 'garbage', 'expired', 'alg-none', 'not-bearer') },
    ),
  }) as fc.Arbitrary<Case>;
}

type Kind = 'task' | 'entry' | 'habit' | 'key';
function kindOf(path: string): Kind {
  if (path.startsWith('/v1/journal')) return 'entry';
  if (path.startsWith('/v1/habits')) return 'habit';
  if (path.startsWith('/v1/keys')) return 'key';
  return 'task';
}
const otherKind: Record<Kind, Kind> = { task: 'habit', entry: 'task', habit: 'entry', key: 'task' };

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

interface Built { method: string; url: string; headers: Record<string, string>; body: string | Uint8Array<ArrayBuffer> | undefined; route: string }

function build(c: Case, me: Person): Built {
  const op = ops[c.op]!;
  const method = c.method ?? op.method;
  const idFor = (choice: IdChoice | string, name: string): string => {
    if (typeof choice === 'string') return choice;
    if (name === 'linkId') return choice.kind === 'random-uuid' ? randomUUID() : me.id; // no links exist: any uuid
    const kind = kindOf(op.path);
    switch (choice.kind) {
      case 'own': return me[kind].id;
      case 'own-other-kind': return me[otherKind[kind]].id;
      case 'victim': return victim[kind].id;
      default: return randomUUID();
    }
  };
  let path = op.path;
  for (const [name, choice] of Object.entries(c.params)) path = path.replace(`{${name}}`, name === 'day' && typeof choice !== 'string' ? me.checkin.day : idFor(choice, name));
  const query = c.query.length ? `?${c.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  const headers: Record<string, string> = { ...c.headers };
  switch (c.auth) {
    case 'mine': headers['authorization'] = `Bearer ${me.token}`; break;
    case 'garbage': headers['authorization'] = 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.AAAA'; break;
    case 'expired': headers['authorization'] = `Bearer ${expiredToken}`; break;
    case 'alg-none': headers['authorization'] = `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: me.id, iss: 'sayso', aud: 'sayso', exp: Math.floor(Date.now() / 1000) + 3600 })}.`; break;
    case 'not-bearer': headers['authorization'] = `Token ${me.token}`; break;
    default: break;
  }
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  if (c.body.kind !== 'none' && method !== 'GET' && method !== 'HEAD') {
    const text = c.body.text.replaceAll('"$own"', JSON.stringify(me.task.id)).replaceAll('"$victim"', JSON.stringify(victim.task.id));
    body = c.body.kind === 'raw' && c.body.gzip ? new Uint8Array(gzipSync(text)) : text;
    const contentType = c.body.kind === 'json' ? 'application/json' : c.body.contentType;
    if (contentType) headers['content-type'] = contentType;
    if (c.body.kind === 'raw' && c.body.encoding) headers['content-encoding'] = c.body.encoding;
  }
  return { method, url: gw.url + path + query, headers, body, route: `${op.method} ${op.path}` };
}

/** What a person owns, and their event sequence: equal before and after a rejected request. */
async function fingerprint(userId: string): Promise<string> {
  return (await fingerprints([userId]))[0]!;
}

/** Fingerprints of several people in one query (the store is one connection: fewer round trips). */
async function fingerprints(ids: string[]): Promise<string[]> {
  const r = await gw.store.db.execute(sql`
    select u.id, u.event_seq, u.name, u.time_zone,
      (select count(*) from tasks where user_id = u.id) as tasks,
      (select coalesce(sum(version), 0) from tasks where user_id = u.id) as task_versions,
      (select count(*) from journal_entries where user_id = u.id) as journal,
      (select count(*) from habits where user_id = u.id) as habits,
      (select count(*) from habit_checkins where user_id = u.id) as checkins,
      (select count(*) from idempotency_keys where user_id = u.id) as idempotency,
      (select count(*) || ':' || count(revoked_at) from publishable_keys where user_id = u.id) as keys,
      (select count(*) from sync_links where user_id = u.id) as links,
      (select count(*) from google_accounts where user_id = u.id) as google
    from users u where u.id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  const byId = new Map(r.rows.map((row) => [String(row['id']), JSON.stringify(row)]));
  return ids.map((id) => byId.get(id) ?? 'gone');
}

interface Outcome { status: number; route: string; failure?: string }

async function send(b: Built): Promise<{ status: number; headers: Headers; text: string } | { thrown: string; client: boolean }> {
  try {
    const res = await fetch(b.url, { method: b.method, headers: b.headers, redirect: 'manual', signal: AbortSignal.timeout(40_000), ...(b.body === undefined ? {} : { body: b.body }) });
    return { status: res.status, headers: res.headers, text: b.method === 'HEAD' ? '' : await res.text() };
  } catch (err) {
    // fetch refusing to send (e.g. a method it forbids) is our generator's doing, not the gateway's.
    const client = err instanceof TypeError && !/fetch failed/.test(err.message);
    return { thrown: `${(err as Error).name}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`, client };
  }
}

/** Waits until a person's fingerprint stops moving (a text turn may still be writing after 202). */
async function settle(userId: string): Promise<void> {
  let last = await fingerprint(userId);
  for (let stable = 0, i = 0; stable < 3 && i < 100; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const now = await fingerprint(userId);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

/** A lane runs its cases one after another, so the fingerprint after one is the one before the next. */
interface Lane { me: Person; last: [string, string] | undefined }

async function runCase(c: Case, lane: Lane): Promise<Outcome> {
  const { me } = lane;
  const b = build(c, me);
  const [before, victimBefore] = lane.last ?? (await fingerprints([me.id, victim.id]));
  lane.last = undefined;
  const reply = await send(b);
  if ('thrown' in reply) return { status: reply.client ? -1 : 0, route: b.route, ...(reply.client ? {} : { failure: `no answer: ${reply.thrown}` }) };
  const { status } = reply;
  const where = `${b.method} ${b.url.slice(gw.url.length, gw.url.length + 120)} (${b.route}, body ${String(b.body ?? '').slice(0, 80)}, headers ${JSON.stringify(b.headers).slice(0, 200)})`;
  if (status >= 500) return { status, route: b.route, failure: `${status} for ${where}: ${reply.text.slice(0, 300)}` };
  if (b.route === 'POST /v1/turns' && status < 400) {
    await settle(me.id);
    return { status, route: b.route };
  }
  if (status >= 400 && b.method !== 'HEAD') {
    let error: ErrorBody['error'] | undefined;
    try {
      error = (JSON.parse(reply.text) as ErrorBody).error;
    } catch {
      return { status, route: b.route, failure: `${status} without a JSON body for ${where}: ${reply.text.slice(0, 200)}` };
    }
    const shapeOk =
      reply.headers.get('content-type')?.startsWith('application/json') &&
      error && typeof error.code === 'string' && ERROR_STATUS[error.code] === status &&
      typeof error.message === 'string' && error.message.length > 10 &&
      typeof error.requestId === 'string' && error.requestId === reply.headers.get('x-request-id');
    if (!shapeOk) return { status, route: b.route, failure: `${status} not in the error shape for ${where}: ${reply.text.slice(0, 300)}` };
  }
  const [after, victimAfter] = await fingerprints([me.id, victim.id]);
  lane.last = [after!, victimAfter!];
  if (status >= 400 && after !== before) return { status, route: b.route, failure: `rejected (${status}) but wrote: ${before} -> ${after} for ${where}` };
  if (victimAfter !== victimBefore) return { status, route: b.route, failure: `the other person's things changed (${status}): ${victimBefore} -> ${victimAfter} for ${where}` };
  return { status, route: b.route };
}

async function ok<T>(p: Promise<Response>): Promise<T> {
  const res = await p;
  if (res.status >= 300) throw new Error(`setup: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function person(n: string): Promise<Person> {
  const user = await gw.users.findOrCreate(`fuzz:${n}`, `Fuzz ${n}`);
  const { token } = await gw.sessions.issue(user.id);
  const post = <T>(path: string, json: unknown) =>
    ok<T>(fetch(gw.url + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(json) }));
  const task = await post<Task>('/v1/tasks', { title: `Task of ${n}`, dueDate: '2026-03-01' });
  const entry = await post<JournalEntry>('/v1/journal', { text: `Entry of ${n}`, day: '2026-03-01' });
  const habit = await post<Habit>('/v1/habits', { name: `Habit of ${n}` });
  const checkin = await post<HabitCheckin>(`/v1/habits/${habit.id}/checkins`, { day: '2026-03-01', value: 1 });
  const key = await post<{ id: string }>('/v1/keys', { origins: [`https://${n}.example`] });
  return { id: user.id, token, task, entry, habit, checkin, key };
}

beforeAll(async () => {
  t = await openTestStore('pglite');
  standIn = await new GoogleStandIn().start();
  // Limits off: this file measures input handling, not the rate limiter (which has its own tests).
  gw = await startGoogleGateway(t.store, standIn, {
    env: { SAYSO_LOG_LEVEL: process.env['SAYSO_FUZZ_LOG'] ?? 'silent', SAYSO_LIMIT_REST_PER_MINUTE: '0', SAYSO_LIMIT_SIGNIN_PER_MINUTE: '0', SAYSO_LIMIT_KEY_SESSIONS_PER_MINUTE: '0', SAYSO_LIMIT_LLM_PER_MINUTE: '0' },
  });
  doc = (await (await fetch(`${gw.url}/openapi.json`)).json()) as OpenApi;
  ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(), path, parameters: op.parameters ?? [], secured: Boolean(op.security?.length),
      body: op.requestBody?.content['application/json'].schema,
    })),
  );
  victim = await person('victim');
  for (let i = 0; i < LANES; i++) lanes.push(await person(`lane${i}`));
  expiredToken = (await gw.sessions.issue(lanes[0]!.id, -1)).token;
});

afterAll(async () => {
  await gw?.close();
  await standIn?.stop();
  await t?.close();
});

describe('fuzzing every route of /openapi.json', () => {
  it(`${RUNS} generated requests: no 5xx, the error shape on every 4xx, nothing written by a rejected request`, { timeout: 600_000 }, async () => {
    expect(ops.length).toBeGreaterThanOrEqual(40);
    const victimView = await fingerprint(victim.id);
    // Every route gets its share: cases cycle through the operations, each generated from its schema.
    const perOp = ops.map((_, i) => caseFor(i));
    const all = fc.oneof(...perOp.map((arbitrary) => ({ weight: 1, arbitrary })));
    const started = Date.now();
    const cpu = process.cpuUsage();
    const outcomes: Outcome[] = [];
    let next = 0;
    const BATCH = 250;
    let batch: Case[] = [];
    let batchStart = 0;
    const take = (): Case | undefined => {
      if (next >= RUNS) return undefined;
      if (next - batchStart >= batch.length) {
        batchStart = next;
        batch = fc.sample(all, { numRuns: Math.min(BATCH, RUNS - next), seed: SEED + next });
      }
      return batch[next++ - batchStart];
    };
    await Promise.all(
      lanes.map(async (me) => {
        const lane: Lane = { me, last: undefined };
        for (let c = take(); c; c = take()) outcomes.push(await runCase(c, lane));
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    // Gateway and client share this process: CPU seconds say more than wall time on a busy machine.
    const cpuSeconds = (used.user + used.system) / 1e6;

    const byStatus: Record<string, number> = {};
    for (const o of outcomes) byStatus[o.status === -1 ? 'not sent' : o.status] = (byStatus[o.status === -1 ? 'not sent' : o.status] ?? 0) + 1;
    const byRoute: Record<string, Record<string, number>> = {};
    for (const o of outcomes) {
      const r = (byRoute[o.route] ??= {});
      r[o.status] = (r[o.status] ?? 0) + 1;
    }
    const failures = outcomes.filter((o) => o.failure).map((o) => o.failure!);
    const fiveXx = outcomes.filter((o) => o.status >= 500).length;
    console.log(
      `[fuzz.rest] seed ${SEED}: ${outcomes.length} requests over ${ops.length} operations in ${seconds.toFixed(1)} s ` +
      `(${Math.round(outcomes.length / seconds)}/s, ${LANES} in flight, ${cpuSeconds.toFixed(1)} CPU s); 5xx: ${fiveXx}; failures: ${failures.length}\n` +
      `[fuzz.rest] statuses: ${JSON.stringify(byStatus)}\n` +
      `[fuzz.rest] per route: ${Object.entries(byRoute).map(([r, s]) => `${r} ${JSON.stringify(s)}`).join('; ')}`,
    );
    for (const f of failures.slice(0, 15)) console.log(`[fuzz.rest] FAIL ${f}`);

    expect(outcomes.length).toBe(RUNS);
    expect(failures.slice(0, 10)).toEqual([]);
    expect(fiveXx).toBe(0);
    // Every operation was reached with a valid token and got past authentication at least once.
    const reached = new Set(outcomes.filter((o) => o.status !== 401 && o.status > 0).map((o) => o.route));
    expect(ops.map((o) => `${o.method} ${o.path}`).filter((r) => !reached.has(r))).toEqual([]);
    expect(await fingerprint(victim.id)).toBe(victimView);
  });

  it('the gateway still serves a normal request afterwards', async () => {
    const me = lanes[0]!;
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const res = await fetch(`${gw.url}/v1/tasks`, {
      method: 'POST', headers: { authorization: `Bearer ${me.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 'After the storm' }),
    });
    expect(res.status).toBe(201);
    const victimTask = await fetch(`${gw.url}/v1/tasks/${victim.task.id}`, { headers: { authorization: `Bearer ${victim.token}` } });
    expect(((await victimTask.json()) as Task).version).toBe(victim.task.version);
  });
});
