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
 * not an HNSW index: a journal belongs to one person, and pgvector filters an HNSW scan to that
 * person only after the scan, so it returns too few or wrong rows (recall@10 0.50 at 100,000
 * rows; 0.86 with iterative scans, at p95 ~130 ms). The exact scan costs ~3 ms for a typical
 * journal and ~50 ms p50 for 10,000 entries (~18 ms with the vector stored in line, `SET
 * STORAGE PLAIN`), and is always right (bench/knn.ts). Adding a global HNSW index later would
 * change this: the planner picks it by itself for heavy writers, and their results turn approximate.
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
