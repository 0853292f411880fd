import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError, ConflictError, ConnectionError, NotFoundError, SaysoClient, SaysoError, ValidationError,
} from '../src/index.js';
import { startTestGateway } from './support/gateway.js';

describe('SaysoClient REST resources against a real gateway', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  let url: string;
  let client: SaysoClient;

  beforeAll(async () => {
    gateway = await startTestGateway();
    url = gateway.gw.url;
    client = await SaysoClient.signInLocal(url, { name: 'Ada' });
  });
  afterAll(() => gateway?.close());

  it('signs in locally and knows who it is', async () => {
    expect(client.token).toBeTypeOf('string');
    expect(client.session?.user.name).toBe('Ada');
    expect(await client.me()).toEqual(client.session?.user);
  });

  it('round-trips a task: create, get, list, update, complete, reopen, remove', async () => {
    const title = `Call the dentist ${randomUUID()}`;
    const created = await client.tasks.create({ title, dueDate: '2026-12-01', dueTime: '09:30', priority: 'high' });
    expect(created).toMatchObject({ title, status: 'open', priority: 'high', dueDate: '2026-12-01', version: 1, source: 'api' });
    expect(await client.tasks.get(created.id)).toEqual(created);
    const page = await client.tasks.list({ status: 'open', limit: 200 });
    expect(page.items.map((t) => t.id)).toContain(created.id);

    const updated = await client.tasks.update(created.id, { version: created.version, title: `${title} (moved)`, dueTime: null });
    expect(updated).toMatchObject({ title: `${title} (moved)`, dueTime: null, version: 2 });
    const done = await client.tasks.complete(created.id, { version: updated.version });
    expect(done.status).toBe('done');
    expect((await client.tasks.list({ status: 'done', limit: 200 })).items.map((t) => t.id)).toContain(created.id);
    const reopened = await client.tasks.reopen(created.id);
    expect(reopened).toMatchObject({ status: 'open', completedAt: null });

    const removed = await client.tasks.remove(created.id, { version: reopened.version });
    expect(removed.id).toBe(created.id);
    await expect(client.tasks.get(created.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('round-trips a journal entry and finds it by meaning', async () => {
    const entry = await client.journal.create({ text: 'A long walk by the river at dawn.', mood: 4, day: '2026-11-20' });
    expect(entry).toMatchObject({ text: 'A long walk by the river at dawn.', mood: 4, day: '2026-11-20', version: 1 });
    expect(await client.journal.get(entry.id)).toEqual(entry);
    const changed = await client.journal.update(entry.id, { version: entry.version, mood: 5 });
    expect(changed).toMatchObject({ mood: 5, version: 2 });
    const { items } = await client.journal.list({ from: '2026-11-01', to: '2026-11-30' });
    expect(items.map((e) => e.id)).toContain(entry.id);
    const hits = await client.journal.search('walk by the river', { limit: 5 });
    expect(hits.items[0]?.entry.id).toBe(entry.id);
    const removed = await client.journal.remove(entry.id, { version: changed.version });
    expect(removed.text).toBeNull();
    await expect(client.journal.get(entry.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('round-trips a habit with check-ins and stats', async () => {
    const habit = await client.habits.create({ name: `Stretch ${randomUUID()}`, cadence: 'daily' });
    expect((await client.habits.list()).items.map((h) => h.id)).toContain(habit.id);
    expect(await client.habits.get(habit.id)).toEqual(habit);
    const changed = await client.habits.update(habit.id, { version: habit.version, target: 2 });
    expect(changed).toMatchObject({ target: 2, version: 2 });

    const checkin = await client.habits.checkIn(habit.id, { day: '2026-11-27', value: 2, note: 'morning and evening' });
    expect(checkin).toMatchObject({ habitId: habit.id, day: '2026-11-27', value: 2 });
    expect((await client.habits.checkins(habit.id, { from: '2026-11-01' })).items.map((c) => c.id)).toEqual([checkin.id]);
    const stats = await client.habits.stats(habit.id);
    expect(stats).toMatchObject({ habitId: habit.id });
    expect(stats.longestStreak).toBeGreaterThanOrEqual(1);

    expect((await client.habits.removeCheckin(habit.id, '2026-11-27')).id).toBe(checkin.id);
    expect((await client.habits.checkins(habit.id)).items).toEqual([]);
    await client.habits.remove(habit.id, { version: changed.version });
    await expect(client.habits.get(habit.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an invalid body is a ValidationError naming the field, with details', async () => {
    const err = await client.tasks.create({ title: '   ' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v).toMatchObject({ status: 400, code: 'validation_failed', retryable: false });
    expect(v.message).toContain('`title`');
    expect(v.issues).toEqual([expect.objectContaining({ path: 'title' })]);
    expect(v.requestId).toMatch(/\S/);
  });

  it('a stale version is a ConflictError with the current version and item', async () => {
    const task = await client.tasks.create({ title: 'Renew passport' });
    await client.tasks.update(task.id, { version: task.version, notes: 'photos first' });
    const err = await client.tasks.update(task.id, { version: task.version, title: 'Renew passport now' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: 'version_conflict', currentVersion: 2, current: { id: task.id, notes: 'photos first' } });
    expect((err as Error).message).toMatch(/version 2/);
  });

  it('an unknown id is a NotFoundError', async () => {
    const err = await client.habits.get(randomUUID()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 404, code: 'not_found', retryable: false });
  });

  it('no token is an AuthError that says how to sign in', async () => {
    const anonymous = new SaysoClient({ baseUrl: url });
    const err = await anonymous.tasks.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', retryable: false });
    expect((err as Error).message).toMatch(/Bearer/);
  });

  it('a gateway that is down is a retryable ConnectionError, after bounded retries', async () => {
    const port = await closedPort();
    let calls = 0;
    const down = new SaysoClient({ baseUrl: `http://127.0.0.1:${port}`, token: client.token!, maxRetries: 1, fetch: (i, init) => (calls++, fetch(i, init)) });
    const err = await down.tasks.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toBeInstanceOf(SaysoError);
    expect(err).toMatchObject({ status: undefined, code: 'connection_failed', retryable: true });
    expect((err as Error).message).toMatch(/Could not reach the Sayso gateway.*ECONNREFUSED/);
    expect(calls).toBe(2);
  });
});

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
