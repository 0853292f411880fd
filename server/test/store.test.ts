import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asc, cosineDistance, eq, getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { openStore, type Store } from '../src/store/open-store.js';
import * as schema from '../src/store/schema.js';
import { events, habits, journalEntries, tasks, users } from '../src/store/schema.js';
import { createUser, openTestStore, STORE_DRIVERS, type TestStore } from './support/stores.js';

const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(STORE_DRIVERS)('store on %s', (driver) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('migrations create every table of the schema and the vector extension', async () => {
    const expected = Object.values(schema as Record<string, unknown>)
      .filter((value): value is PgTable => is(value, PgTable))
      .map((table) => getTableName(table))
      .sort();
    const { rows } = await t.store.pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    expect(rows.map((r) => r.table_name)).toEqual(expected);
    const ext = await t.store.pool.query("select extversion from pg_extension where extname = 'vector'");
    expect(ext.rowCount).toBe(1);
  });

  it('running the migrations again changes nothing', async () => {
    const before = await describeSchema(t.store);
    expect(before.applied).toBe(journalLength());
    await migrate(t.store.db, { migrationsFolder: MIGRATIONS });
    expect(await describeSchema(t.store)).toEqual(before);
    // Over the wire, also the whole restart path: a new pool, openStore, migrations again.
    if (t.reopen) {
      await t.reopen();
      expect(await describeSchema(t.store)).toEqual(before);
    }
  });

  it('a vector(512) round-trips exactly and cosine distance orders rows', async () => {
    const { db } = t.store;
    const userId = await createUser(t.store);
    // Multiples of 1/8 are exact in float4, so the round trip can be compared with toEqual.
    const pattern = Array.from({ length: schema.EMBEDDING_DIMENSIONS }, (_, i) => ((i % 17) - 8) / 8);
    const [stored] = await db
      .insert(journalEntries)
      .values({ userId, day: '2026-01-01', source: 'test', text: 'pattern', embedding: pattern })
      .returning({ id: journalEntries.id });
    const [back] = await db.select({ embedding: journalEntries.embedding }).from(journalEntries).where(eq(journalEntries.id, stored!.id));
    expect(back?.embedding).toEqual(pattern);

    // Angles from the query axis: same (0), 45°, 90°, opposite; inserted out of order.
    const axis = (x: number, y: number) => [x, y, ...new Array<number>(schema.EMBEDDING_DIMENSIONS - 2).fill(0)];
    const query = axis(1, 0);
    await db.insert(journalEntries).values(
      [
        ['orthogonal', axis(0, 1)],
        ['opposite', axis(-1, 0)],
        ['same', axis(2, 0)],
        ['diagonal', axis(1, 1)],
      ].map(([text, embedding]) => ({ userId, day: '2026-01-02', source: 'test', text: text as string, embedding: embedding as number[] })),
    );
    const distance = cosineDistance(journalEntries.embedding, query);
    const ranked = await db
      .select({ text: journalEntries.text, distance })
      .from(journalEntries)
      .where(eq(journalEntries.day, '2026-01-02'))
      .orderBy(asc(distance));
    expect(ranked.map((r) => r.text)).toEqual(['same', 'diagonal', 'orthogonal', 'opposite']);
    expect(ranked.map((r) => Number(r.distance))).toEqual([0, expect.closeTo(1 - Math.SQRT1_2, 5), 1, 2]);
  });

  it('uuids, instants, dates and numbers come back in their JS shapes through drizzle', async () => {
    const { db } = t.store;
    const userId = await createUser(t.store);
    const completedAt = new Date('2026-06-30T23:59:58.123Z');
    const [task] = await db
      .insert(tasks)
      // The last day of a year: a date parsed as local midnight would shift in any zone west of UTC.
      .values({ userId, title: 'Shapes', source: 'test', dueDate: '2026-12-31', dueTime: '09:30:00', completedAt })
      .returning();
    const [read] = await db.select().from(tasks).where(eq(tasks.id, task!.id));
    for (const row of [task, read]) {
      expect(row?.id).toMatch(UUID);
      expect(row?.userId).toBe(userId);
      expect(row?.dueDate).toBe('2026-12-31');
      expect(row?.dueTime).toBe('09:30:00');
      expect(row?.createdAt).toBeInstanceOf(Date);
      expect(Number.isNaN(row?.createdAt.getTime())).toBe(false);
      expect(row?.completedAt).toEqual(completedAt);
      expect(row?.deletedAt).toBeNull();
    }
    const [user] = await db.select().from(users).where(eq(users.id, userId));
    expect(user?.eventSeq).toBe(0);
    await db.insert(events).values({ userId, seq: 1, type: 'test.shapes', payload: { nested: { n: 1 }, list: ['a'] } });
    const [event] = await db.select().from(events).where(eq(events.userId, userId));
    expect(event).toMatchObject({ seq: 1, payload: { nested: { n: 1 }, list: ['a'] } });
  });

  it('a transaction that throws leaves nothing written', async () => {
    const { db } = t.store;
    const userId = await createUser(t.store);
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(tasks).values({ userId, title: 'Never saved', source: 'test' });
        await tx.update(users).set({ eventSeq: 99 }).where(eq(users.id, userId));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.select().from(tasks).where(eq(tasks.userId, userId))).toEqual([]);
    const [user] = await db.select({ eventSeq: users.eventSeq }).from(users).where(eq(users.id, userId));
    expect(user?.eventSeq).toBe(0);
  });

  it('a live habit name is unique per person whatever its case, and free again once soft-deleted', async () => {
    const { db } = t.store;
    const userId = await createUser(t.store);
    const otherId = await createUser(t.store);
    const [run] = await db.insert(habits).values({ userId, name: 'Run' }).returning({ id: habits.id });
    await expect(db.insert(habits).values({ userId, name: 'run' })).rejects.toSatisfy((err) => pgCode(err) === '23505');
    await db.insert(habits).values({ userId: otherId, name: 'run' });

    await db.update(habits).set({ deletedAt: new Date() }).where(eq(habits.id, run!.id));
    await db.insert(habits).values({ userId, name: 'RUN' });
    const names = await db.select({ name: habits.name, deletedAt: habits.deletedAt }).from(habits).where(eq(habits.userId, userId));
    expect(names.map((h) => [h.name, h.deletedAt === null]).sort()).toEqual([
      ['RUN', true],
      ['Run', false],
    ]);
  });

  it("deleting a person deletes their tasks and habits, and nobody else's", async () => {
    const { db } = t.store;
    const userId = await createUser(t.store);
    const otherId = await createUser(t.store);
    await db.insert(tasks).values([
      { userId, title: 'One', source: 'test' },
      { userId, title: 'Two', source: 'test' },
      { userId: otherId, title: 'Kept', source: 'test' },
    ]);
    await db.insert(habits).values({ userId, name: 'Read' });
    await db.delete(users).where(eq(users.id, userId));
    expect(await db.select().from(tasks).where(eq(tasks.userId, userId))).toEqual([]);
    expect(await db.select().from(habits).where(eq(habits.userId, userId))).toEqual([]);
    expect(await db.select({ title: tasks.title }).from(tasks).where(eq(tasks.userId, otherId))).toEqual([{ title: 'Kept' }]);
  });

  it('20 concurrent transactions bumping event_seq each get their own number, 1 to 20', async () => {
    const { db } = t.store;
    const userId = await createUser(t.store);
    // How the gateway numbers live events: bump under the row lock, then write the event with that
    // number in the same transaction; the events primary key would reject a repeated number.
    const seqs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          const [row] = await tx
            .update(users)
            .set({ eventSeq: sql`${users.eventSeq} + 1` })
            .where(eq(users.id, userId))
            .returning({ eventSeq: users.eventSeq });
          if (!row) throw new Error('The user row is missing.');
          await tx.insert(events).values({ userId, seq: row.eventSeq, type: 'test.bumped', payload: { i } });
          return row.eventSeq;
        }),
      ),
    );
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const [user] = await db.select({ eventSeq: users.eventSeq }).from(users).where(eq(users.id, userId));
    expect(user?.eventSeq).toBe(20);
    expect(await db.$count(events, eq(events.userId, userId))).toBe(20);
  });

  it('a query that fails does not break the next ones', async () => {
    // pg-pool drops the connection after a failed pool.query and dials a new one; on the socket
    // driver that new connection must be accepted while the old one is still closing.
    for (let i = 0; i < 3; i++) {
      await expect(t.store.pool.query('select * from no_such_table')).rejects.toSatisfy((err) => pgCode(err) === '42P01');
      expect((await t.store.pool.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
    }
  });
});

describe('embedded store on a data directory', () => {
  // One directory for all three: only the first open pays for initdb (~1 s more than a reopen),
  // and each test holds whatever state the others leave, as a real directory would.
  let root: string;
  let dataDir: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'sayso-store-test-'));
    dataDir = path.join(root, 'data');
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps its data across close and reopen', async () => {
    const first = await openStore({ kind: 'embedded', dataDir });
    let userId: string;
    try {
      userId = await createUser(first, 'Persisted');
    } finally {
      await first.close();
    }
    const second = await openStore({ kind: 'embedded', dataDir });
    try {
      const [user] = await second.db.select({ name: users.name }).from(users).where(eq(users.id, userId));
      expect(user?.name).toBe('Persisted');
      expect((await describeSchema(second)).applied).toBe(journalLength());
    } finally {
      await second.close();
    }
  });

  it('refuses a second open of a directory in use, naming SAYSO_DATA_DIR, and opens once it is released', async () => {
    const first = await openStore({ kind: 'embedded', dataDir });
    try {
      const refused = openStore({ kind: 'embedded', dataDir });
      await expect(refused).rejects.toThrow(/SAYSO_DATA_DIR/);
      await expect(refused).rejects.toThrow(dataDir);
    } finally {
      await first.close();
    }
    const second = await openStore({ kind: 'embedded', dataDir });
    await second.close();
  });

  it('takes over the lock of a process that died, once the lock is stale', async () => {
    mkdirSync(dataDir, { recursive: true });
    await lockAndDie(dataDir);
    // proper-lockfile judges a lock by its mtime alone: a dead process's lock looks live until
    // `stale` (15 s in open-store) has passed, so a restart straight after a crash is refused.
    await expect(openStore({ kind: 'embedded', dataDir })).rejects.toThrow(/SAYSO_DATA_DIR/);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(path.join(dataDir, '.sayso.lock'), longAgo, longAgo);
    const store = await openStore({ kind: 'embedded', dataDir });
    await store.close();
  });
});

/** The migration journal and the public schema's tables, columns and indexes, to compare before and after. */
async function describeSchema(store: Store) {
  const q = async (text: string) => (await store.pool.query(text)).rows;
  const [applied] = await q('select count(*)::int as n from drizzle.__drizzle_migrations');
  return {
    applied: (applied as { n: number }).n,
    columns: await q(
      "select table_name, column_name, data_type, udt_name, is_nullable, column_default from information_schema.columns where table_schema = 'public' order by 1, 2",
    ),
    indexes: await q("select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1"),
    extensions: await q('select extname, extversion from pg_extension order by 1'),
  };
}

function journalLength(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/** drizzle wraps driver errors (DrizzleQueryError); the Postgres SQLSTATE is on the cause. */
function pgCode(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if ('code' in e && typeof e.code === 'string') return e.code;
  }
  return undefined;
}

/**
 * Takes the data directory's lock in a child process the way openStore does, then SIGKILLs it:
 * proper-lockfile's exit hook cannot run, so the lock stays behind as after a crash.
 */
async function lockAndDie(dataDir: string): Promise<void> {
  const script = `
    const lockfile = require('proper-lockfile');
    const dir = process.argv[1];
    lockfile.lock(dir, { lockfilePath: require('node:path').join(dir, '.sayso.lock'), stale: 15000, update: 5000 })
      .then(() => process.kill(process.pid, 'SIGKILL'), (err) => { console.error(err); process.exit(1); });
  `;
  const child = spawn(process.execPath, ['-e', script, dataDir], { cwd: SERVER_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  const signal = await new Promise<NodeJS.Signals | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (_code, sig) => resolve(sig));
  });
  if (signal !== 'SIGKILL') throw new Error(`The locking child process should have been killed, but exited with ${String(signal)}.`);
}
