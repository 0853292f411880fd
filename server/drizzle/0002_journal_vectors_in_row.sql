-- Keep 512-dim vectors (2 KB) in the row: pgvector's default EXTERNAL storage puts each one in
-- TOAST, and the exact per-user k-NN then fetches every vector from there (2-3x slower; see
-- `npm run bench -- knn`). Journal search is per person and exact, so there is no HNSW index:
-- pgvector filters by person after an HNSW scan, which measured recall@10 0.50-0.86.
ALTER TABLE "journal_entries" ALTER COLUMN "embedding" SET STORAGE PLAIN;
