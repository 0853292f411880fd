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
    /** For a conflict: each field both sides changed, with both values and which was kept. */
    details: jsonb('details'),
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

// Google sign-in and sync (server/src/integrations/google/).

/** Keys that encrypt Google refresh tokens when SAYSO_GOOGLE_TOKEN_KEY is unset; the oldest is used. */
export const vaultKeys = pgTable('vault_keys', {
  kid: text('kid').primaryKey(),
  /** 32 random bytes, base64. */
  key: text('key').notNull(),
  createdAt: created(),
});

/** A person's Google account: who they are at Google and the (encrypted) grant sync uses. */
export const googleAccounts = pgTable('google_accounts', {
  userId: uuid('user_id').primaryKey().references(() => users.id, { onDelete: 'cascade' }),
  /** Google's stable subject id (`sub`). */
  googleSub: text('google_sub').notNull().unique(),
  email: text('email'),
  scopes: text('scopes').notNull().default(''),
  /** AES-256-GCM ciphertext of the refresh token (token-vault.ts), bound to the user id. */
  refreshToken: text('refresh_token'),
  /** `revoked`: Google answered invalid_grant; sync is paused until the person signs in again. */
  status: text('status', { enum: ['active', 'revoked'] }).notNull().default('active'),
  createdAt: created(),
  updatedAt: updated(),
});

/** An OAuth authorization in flight (state + PKCE verifier); any gateway can finish it. */
export const oauthStates = pgTable('oauth_states', {
  state: text('state').primaryKey(),
  codeVerifier: text('code_verifier').notNull(),
  /** Set when a signed-in person connects Google; absent for "sign in with Google". */
  userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
  returnTo: text('return_to'),
  /**
   * SHA-256 of the key in the cookie of the browser that went to Google (set when it starts out):
   * the callback must come back to that browser, so a link with someone else's code signs no one in.
   */
  browserHash: text('browser_hash'),
  expiresAt: instant('expires_at').notNull(),
});

/**
 * A linked spreadsheet or calendar. One per person and provider. A gateway syncs a link only
 * while it holds its lease (`lease_until`), so several gateways never sync one link at once.
 */
export const syncLinks = pgTable(
  'sync_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: ['sheets', 'calendar'] }).notNull(),
    /** Spreadsheet id, or calendar id (`primary`). */
    externalId: text('external_id').notNull(),
    status: text('status', { enum: ['active', 'paused', 'error'] }).notNull().default('active'),
    lastError: text('last_error'),
    lastSyncAt: instant('last_sync_at'),
    /** Conflicts resolved since the link was made (details in sync_log). */
    conflicts: integer('conflicts').notNull().default(0),
    /**
     * Bumped when something changed that this link should sync; a pass records the value it
     * started from in `clean_seq`, so a change arriving mid-pass still gets its own pass.
     */
    dirtySeq: integer('dirty_seq').notNull().default(0),
    cleanSeq: integer('clean_seq').notNull().default(0),
    nextPollAt: instant('next_poll_at').notNull().defaultNow(),
    failures: integer('failures').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseUntil: instant('lease_until'),
    // Sheets: the Drive file version last read, and the Apps Script webhook's HMAC secret (encrypted).
    fileVersion: text('file_version'),
    webhookSecret: text('webhook_secret'),
    // Calendar: incremental sync token and the push-notification channel.
    syncToken: text('sync_token'),
    channelId: text('channel_id').unique(),
    channelToken: text('channel_token'),
    channelResourceId: text('channel_resource_id'),
    channelExpiresAt: instant('channel_expires_at'),
    createdAt: created(),
  },
  (t) => [uniqueIndex('sync_links_user_provider_idx').on(t.userId, t.provider)],
);

/**
 * What was last synced for one item on one link: the remote id, the Sayso version and the field
 * values both sides agreed on. That agreed state is the base of the three-way merge: a field that
 * differs from it changed on that side.
 */
export const syncItems = pgTable(
  'sync_items',
  {
    linkId: uuid('link_id').notNull().references(() => syncLinks.id, { onDelete: 'cascade' }),
    entityType: text('entity_type', { enum: ['task', 'habit'] }).notNull(),
    entityId: uuid('entity_id').notNull(),
    /** Calendar event id; for sheets the entity id itself (the row's ID column). */
    externalId: text('external_id'),
    syncedVersion: integer('synced_version').notNull(),
    fields: jsonb('fields').$type<Record<string, string | number | null>>().notNull(),
    updatedAt: updated(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.entityType, t.entityId] }), index('sync_items_external_idx').on(t.linkId, t.externalId)],
);
