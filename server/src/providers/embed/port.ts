import { ProviderError } from '../provider-error.js';

/**
 * The embedding port: text in, unit vectors out.
 *
 * Every vector an embedder returns is L2-normalised (length 1), so cosine similarity equals the
 * dot product and pgvector's `<=>` (cosine distance) and `<#>` (negative inner product) agree.
 *
 * Vectors from different models are not comparable, so `embed()` returns the id of the model
 * that actually produced them. Store `result.model` with each vector, never `embedder.id`: a
 * {@link FallbackEmbedder} may answer with its second choice.
 *
 * @example
 * ```ts
 * const { model, vectors } = await embedder.embed(['slept badly, tired all day']);
 * await db.update(journalEntries).set({ embedding: vectors[0], embeddingModel: model }).where(...);
 * ```
 */
export interface Embedder {
  /**
   * The model this embedder uses when it answers itself, e.g. `local-use-lite-512` or
   * `openai:text-embedding-3-small@512`. Queries only match vectors stored under the same id.
   */
  readonly id: string;
  readonly capabilities: EmbedderCapabilities;
  /**
   * Embeds `texts` in order (`vectors[i]` is `texts[i]`); an empty list gives no vectors.
   * Inputs larger than `maxBatch` are split by the embedder itself.
   */
  embed(texts: readonly string[]): Promise<Embeddings>;
}

export interface EmbedderCapabilities {
  /** Length of every vector. */
  dimensions: number;
  /** Most texts sent to the engine in one request; `embed()` splits bigger inputs. */
  maxBatch: number;
  /** True when text never leaves this machine (journal text is personal). */
  local: boolean;
}

export interface Embeddings {
  /** Id of the model that produced `vectors`: store it beside them. */
  model: string;
  /** One L2-normalised vector per input text, in input order. */
  vectors: number[][];
}

/** An embedding failure: see ProviderError. */
export class EmbedError extends ProviderError {
  override readonly name = 'EmbedError';
}

/** Scales `v` to length 1 in place; a zero vector stays zero (it has no direction). */
export function normalise(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  if (norm === 0) return v;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! / norm;
  return v;
}

/** Splits `items` into runs of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
