import { and, desc, eq, gte, inArray, isNull, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { JournalEntry, JournalSearchHit, Page } from '@sayso/protocol';
import type { Embedder } from '../providers/embed/port.js';
import type { Db } from '../store/open-store.js';
import { searchJournal } from '../store/journal-search.js';
import { events, idempotencyKeys, journalEntries, processedTurns } from '../store/schema.js';
import type { Logger } from '../log.js';
import type { Changes, Tx, WriteContext, WriteResult } from './changes.js';
import { notFound, versionConflict } from './errors.js';
import { toJournalEntry } from './mappers.js';
import { before, toPage, todayIn } from './paging.js';
import type { JournalCreateInput, JournalListInput, JournalPatchInput } from './schemas.js';
import { definedOnly } from './tasks.js';
import type { Users } from './users.js';

type EntryRow = typeof journalEntries.$inferSelect;
type Vector = { embedding: number[]; embeddingModel: string } | { embedding: null; embeddingModel: null };
const NO_VECTOR: Vector = { embedding: null, embeddingModel: null };

/**
 * Journal entries. Plain entries are embedded for semantic search before the write (an embedder
 * failure stores the entry without a vector; `embedMissing` fills it in later). Encrypted
 * entries are never embedded: the server cannot read them.
 */
export class JournalService {
  constructor(
    private readonly db: Db,
    private readonly changes: Changes,
    private readonly users: Users,
    private readonly embedder: Embedder,
    private readonly log: Logger,
  ) {}

  async list(userId: string, q: JournalListInput): Promise<Page<JournalEntry>> {
    const where: Array<SQL | undefined> = [eq(journalEntries.userId, userId), isNull(journalEntries.deletedAt)];
    if (q.from) where.push(gte(journalEntries.day, q.from));
    if (q.to) where.push(lte(journalEntries.day, q.to));
    where.push(before(journalEntries.createdAt, journalEntries.id, q.cursor));
    const rows = await this.db
      .select()
      .from(journalEntries)
      .where(and(...where))
      .orderBy(desc(journalEntries.createdAt), desc(journalEntries.id))
      .limit(q.limit + 1);
    return toPage(rows, q.limit, toJournalEntry);
  }

  async get(userId: string, id: string): Promise<JournalEntry> {
    return toJournalEntry(await this.row(this.db, userId, id));
  }

  async create(ctx: WriteContext, input: JournalCreateInput): Promise<WriteResult<JournalEntry>> {
    const vector = input.text !== undefined ? await this.vectorFor(input.text) : NO_VECTOR;
    const day = input.day ?? todayIn(await this.users.timeZone(ctx.userId));
    return this.changes.write(ctx, async (tx, emit) => {
      const now = new Date();
      const [row] = await tx
        .insert(journalEntries)
        .values({
          userId: ctx.userId,
          text: input.text ?? null,
          ciphertext: input.ciphertext ?? null,
          iv: input.iv ?? null,
          keyId: input.keyId ?? null,
          mood: input.mood ?? null,
          day,
          source: ctx.source,
          ...vector,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const entry = toJournalEntry(row!);
      emit('journal_update', { op: 'created', entry });
      return entry;
    });
  }

  async update(ctx: WriteContext, id: string, patch: JournalPatchInput): Promise<WriteResult<JournalEntry>> {
    // Embed outside the transaction: a slow embedder must not hold the database.
    const vector = patch.text !== undefined ? await this.vectorFor(patch.text) : patch.ciphertext !== undefined ? NO_VECTOR : undefined;
    return this.changes.write(ctx, async (tx, emit) => {
      const current = await this.row(tx, ctx.userId, id, true);
      if (patch.version !== undefined && patch.version !== current.version) {
        throw versionConflict('journal entry', patch.version, toJournalEntry(current), current.version);
      }
      const { version: _v, ...fields } = patch;
      // Switching between plain and encrypted clears the other form.
      const form =
        fields.text !== undefined
          ? { ciphertext: null, iv: null, keyId: null }
          : fields.ciphertext !== undefined
            ? { text: null }
            : {};
      // Sealing a plain entry (a client encrypting what voice stored plain): its text goes from the history too.
      if (fields.ciphertext !== undefined && current.text !== null) await erasePlainCopies(tx, ctx.userId, current.id, fields.mood === null);
      const [row] = await tx
        .update(journalEntries)
        .set({ ...definedOnly(fields), ...form, ...(vector ?? {}), version: current.version + 1, updatedAt: new Date() })
        .where(eq(journalEntries.id, current.id))
        .returning();
      const entry = toJournalEntry(row!);
      emit('journal_update', { op: 'updated', entry });
      return entry;
    });
  }

  remove(ctx: WriteContext, id: string, version?: number): Promise<WriteResult<JournalEntry>> {
    return this.changes.write(ctx, async (tx, emit) => {
      const current = await this.row(tx, ctx.userId, id, true);
      if (version !== undefined && version !== current.version) {
        throw versionConflict('journal entry', version, toJournalEntry(current), current.version);
      }
      const now = new Date();
      const [row] = await tx
        .update(journalEntries)
        .set({ deletedAt: now, updatedAt: now, version: current.version + 1, text: null, ciphertext: null, embedding: null })
        .where(eq(journalEntries.id, current.id))
        .returning();
      const entry = toJournalEntry(row!);
      emit('journal_update', { op: 'deleted', entry });
      return entry;
    });
  }

  /** Entries closest in meaning to `query`, best first. Encrypted entries are not searched here. */
  async search(userId: string, query: string, limit: number): Promise<JournalSearchHit[]> {
    const { model, vectors } = await this.embedder.embed([query]);
    const vector = vectors[0];
    if (!vector) return [];
    const hits = await searchJournal(this.db, { userId, vector, model, limit });
    if (hits.length === 0) return [];
    const rows = await this.db
      .select()
      .from(journalEntries)
      .where(and(eq(journalEntries.userId, userId), inArray(journalEntries.id, hits.map((h) => h.id))));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return hits.flatMap((h) => {
      const row = byId.get(h.id);
      return row ? [{ entry: toJournalEntry(row), score: h.score }] : [];
    });
  }

  /**
   * Embeds plain entries that have no vector, or one from another model than the embedder's
   * first choice (after an outage or a model change). Returns how many were embedded.
   */
  async embedMissing(batch = 32): Promise<number> {
    const rows = await this.db
      .select({ id: journalEntries.id, text: journalEntries.text })
      .from(journalEntries)
      .where(
        and(
          isNull(journalEntries.deletedAt),
          isNull(journalEntries.ciphertext),
          or(isNull(journalEntries.embeddingModel), ne(journalEntries.embeddingModel, this.embedder.id)),
        ),
      )
      .limit(batch);
    const todo = rows.filter((r): r is { id: string; text: string } => r.text !== null);
    if (todo.length === 0) return 0;
    const { model, vectors } = await this.embedder.embed(todo.map((r) => r.text));
    if (model !== this.embedder.id) return 0; // still falling back: try again later
    for (const [i, r] of todo.entries()) {
      await this.db
        .update(journalEntries)
        .set({ embedding: vectors[i]!, embeddingModel: model })
        .where(eq(journalEntries.id, r.id));
    }
    return todo.length;
  }

  private async vectorFor(text: string): Promise<Vector> {
    try {
      const { model, vectors } = await this.embedder.embed([text]);
      return vectors[0] ? { embedding: vectors[0], embeddingModel: model } : NO_VECTOR;
    } catch (err) {
      this.log.warn({ err: String(err), chars: text.length }, 'embedding failed; entry saved without a vector for now');
      return NO_VECTOR;
    }
  }

  private async row(db: Db | Tx, userId: string, id: string, forUpdate = false): Promise<EntryRow> {
    const query = db
      .select()
      .from(journalEntries)
      .where(and(eq(journalEntries.id, id), eq(journalEntries.userId, userId), isNull(journalEntries.deletedAt)));
    const [row] = forUpdate ? await query.for('update') : await query;
    if (!row) throw notFound('journal entry', id);
    return row;
  }
}

/**
 * Erases a sealed entry's plain text from the copies kept beside it: its earlier events (kept
 * for resume), stored idempotent responses and voice-turn records. The row itself is overwritten
 * by the caller. Postgres keeps old row versions until VACUUM, and backups keep what they hold.
 */
async function erasePlainCopies(tx: Tx, userId: string, id: string, withMood: boolean): Promise<void> {
  // The mood goes too when the sealing client moved it into the ciphertext (sent `mood: null`).
  const erase = (col: SQL, path: string) =>
    withMood
      ? sql`jsonb_set(jsonb_set(${col}, ${`{${path}text}`}::text[], 'null'::jsonb), ${`{${path}mood}`}::text[], 'null'::jsonb)`
      : sql`jsonb_set(${col}, ${`{${path}text}`}::text[], 'null'::jsonb)`;
  await tx
    .update(events)
    .set({ payload: erase(sql`${events.payload}`, 'data,entry,') })
    .where(and(eq(events.userId, userId), eq(events.type, 'journal_update'), sql`${events.payload}->'data'->'entry'->>'id' = ${id}`));
  await tx
    .update(idempotencyKeys)
    .set({ response: erase(sql`${idempotencyKeys.response}`, '') })
    .where(and(eq(idempotencyKeys.userId, userId), sql`${idempotencyKeys.response}->>'id' = ${id}`));
  await tx
    .update(processedTurns)
    .set({ result: erase(sql`${processedTurns.result}`, '') })
    .where(and(eq(processedTurns.userId, userId), sql`${processedTurns.result}->>'id' = ${id}`));
}
