import { and, asc, cosineDistance, eq, isNull } from 'drizzle-orm';
import type { Db } from './open-store.js';
import { journalEntries } from './schema.js';

export interface JournalSearchParams {
  userId: string;
  /** The query's embedding: L2-normalised, made by `model`. */
  vector: number[];
  /** The embedder id that made `vector`; only entries embedded by the same model are comparable. */
  model: string;
  limit: number;
}

/**
 * The `limit` live entries of one person nearest to `vector`, best first; `score` is cosine
 * similarity (1 - cosine distance, 1 = same direction).
 *
 * An exact k-NN over the person's own rows (found through `journal_user_day_idx`), on purpose
 * not an HNSW index: a journal belongs to one person, and a global HNSW index filtered to one
 * person after its scan returns too few or wrong rows for all but the heaviest writers, while
 * the exact scan of even 10,000 entries stays within tens of milliseconds (bench/knn.ts).
 *
 * @example
 * ```ts
 * const { model, vectors } = await embedder.embed(['when did I sleep badly?']);
 * const hits = await searchJournal(db, { userId, vector: vectors[0]!, model, limit: 10 });
 * ```
 */
export async function searchJournal(db: Db, params: JournalSearchParams): Promise<Array<{ id: string; score: number }>> {
  const distance = cosineDistance(journalEntries.embedding, params.vector);
  const rows = await db
    .select({ id: journalEntries.id, distance })
    .from(journalEntries)
    .where(
      and(
        eq(journalEntries.userId, params.userId),
        isNull(journalEntries.deletedAt),
        // Also excludes rows not embedded yet (NULL model).
        eq(journalEntries.embeddingModel, params.model),
      ),
    )
    .orderBy(asc(distance))
    .limit(params.limit);
  return rows.map((r) => ({ id: r.id, score: 1 - Number(r.distance) }));
}
