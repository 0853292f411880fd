-- pgvector powers semantic search over journal entries.
CREATE EXTENSION IF NOT EXISTS vector;
