import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  time,
  timestamp,
  uniqueIndex,
  uuid,
  vector,
} from 'drizzle-orm/pg-core';

// The one schema. `npm run db:generate -w @sayso/server` turns changes here into a new SQL
// migration under server/drizzle/, which every start applies (drizzle's migrator, both drivers).

/** Dimensions of stored journal embeddings: the local encoder's size; OpenAI is asked for the same. */
export const EMBEDDING_DIMENSIONS = 512;

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const created = () => instant('created_at').notNull().defaultNow();
const updated = () => instant('updated_at').notNull().defaultNow();

export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  email: text('email').unique(),
  /** `local` for the embedded single person; `google:<sub>` once Google sign-in exists. */
  subject: text('subject').notNull().unique(),
  timeZone: text('time_zone').notNull().default('UTC'),
  /** Last live-event sequence number handed out; bumped under the row lock so ids never repeat. */
  eventSeq: bigint('event_seq', { mode: 'number' }).notNull().default(0),
  createdAt: created(),
});

export const tasks = pgTable(
  'tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    notes: text('notes'),
    status: text('status', { enum: ['open', 'done'] }).notNull().default('open'),
    priority: text('priority', { enum: ['none', 'low', 'medium', 'high'] }).notNull().default('none'),
    dueDate: date('due_date', { mode: 'string' }),
    dueTime: time('due_time'),
    list: text('list').notNull().default('inbox'),
    source: text('source').notNull(),
    sheetsRowId: text('sheets_row_id'),
    calendarEventId: text('calendar_event_id'),
    version: integer('version').notNull().default(1),
    createdAt: created(),
    updatedAt: updated(),
    completedAt: instant('completed_at'),
    deletedAt: instant('deleted_at'),
  },
  (t) => [
    index('tasks_user_status_due_idx').on(t.userId, t.status, t.dueDate),
    index('tasks_user_created_idx').on(t.userId, t.createdAt, t.id),
  ],
);

export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    text: text('text'),
    // Client-side encrypted entries: the server keeps only these and never sees a key.
    ciphertext: text('ciphertext'),
    iv: text('iv'),
    keyId: text('key_id'),
    mood: smallint('mood'),
    day: date('day', { mode: 'string' }).notNull(),
    source: text('source').notNull(),
    embedding: vector('embedding', { dimensions: EMBEDDING_DIMENSIONS }),
    /** Which embedder made `embedding`: vectors from different models are not comparable. */
    embeddingModel: text('embedding_model'),
    version: integer('version').notNull().default(1),
    createdAt: created(),
    updatedAt: updated(),
    deletedAt: instant('deleted_at'),
  },
  (t) => [
    index('journal_user_day_idx').on(t.userId, t.day, t.id),
  ],
);

export const habits = pgTable(
  'habits',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    cadence: text('cadence', { enum: ['daily', 'weekly'] }).notNull().default('daily'),
    target: integer('target').notNull().default(1),
    version: integer('version').notNull().default(1),
    createdAt: created(),
    updatedAt: updated(),
    deletedAt: instant('deleted_at'),
  },
  (t) => [
    uniqueIndex('habits_user_name_live_idx')
      .on(t.userId, sql`lower(${t.name})`)
      .where(sql`${t.deletedAt} is null`),
  ],
);

export const habitCheckins = pgTable(
  'habit_checkins',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    habitId: uuid('habit_id').notNull().references(() => habits.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    value: real('value').notNull().default(1),
    note: text('note'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('checkins_habit_day_idx').on(t.habitId, t.day)],
);

/** Every change, per person, in order: the source of live updates and of resume after a reconnect. */
export const events = pgTable(
  'events',
  {
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: created(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.seq] }), index('events_created_idx').on(t.createdAt)],
);

export const syncLog = pgTable(
  'sync_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['sheets', 'calendar'] }).notNull(),
    direction: text('direction', { enum: ['push', 'pull'] }).notNull(),
    entityType: text('entity_type').notNull(),
    entityId: uuid('entity_id'),
    externalId: text('external_id'),
    outcome: text('outcome', { enum: ['ok', 'conflict', 'error', 'skipped'] }).notNull(),
    error: text('error'),
    at: instant('at').notNull().defaultNow(),
  },
  (t) => [index('sync_log_user_at_idx').on(t.userId, t.at)],
);

/** Replays of a request with the same `Idempotency-Key` get the first response back. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    response: jsonb('response').notNull(),
    createdAt: created(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] })],
);

/** A voice turn's effect is recorded under its id, so a retried stage does not act twice. */
export const processedTurns = pgTable('processed_turns', {
  turnId: text('turn_id').primaryKey(),
  userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
  stage: text('stage').notNull(),
  result: jsonb('result').notNull(),
  createdAt: created(),
});

/** Session signing keys, shared by every gateway on the same database. */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  alg: text('alg').notNull(),
  privateJwk: jsonb('private_jwk').notNull(),
  publicJwk: jsonb('public_jwk').notNull(),
  createdAt: created(),
});

/**
 * Publishable keys: a person lets `<sayso-widget>` run on sites they list. Not secret (they sit in
 * page source); the origin check is what guards them, and they only buy short-lived sessions.
 */
export const publishableKeys = pgTable(
  'publishable_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull().unique(),
    label: text('label').notNull().default(''),
    /** Exact origins (`https://example.com`), compared with the browser's Origin header. */
    origins: jsonb('origins').$type<string[]>().notNull(),
    revokedAt: instant('revoked_at'),
    createdAt: created(),
  },
  (t) => [index('publishable_keys_user_idx').on(t.userId)],
);
