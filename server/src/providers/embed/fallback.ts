import type { Embedder, EmbedderCapabilities, Embeddings } from './port.js';
import { EmbedError } from './port.js';

/**
 * Tries each embedder in turn and answers with the first that succeeds.
 *
 * Its vectors carry the id of the embedder that made them (`result.model`), so entries stored
 * while the first choice was down are labelled with the fallback model. Search matches only
 * vectors of the query's model, so such entries are not mixed with incomparable ones; a
 * re-embedding job can find them by `embedding_model <> primary.id` once the primary is back.
 * The whole call falls through together: one model per call, never a mix inside one result.
 *
 * @example
 * ```ts
 * const embedder = new FallbackEmbedder([new OpenAIEmbedder({ apiKey }), new LocalEmbedder()]);
 * const { model, vectors } = await embedder.embed(texts); // store `model`, not `embedder.id`
 * ```
 */
export class FallbackEmbedder implements Embedder {
  /** The first choice's id: what results carry when all is well. */
  readonly id: string;
  readonly capabilities: EmbedderCapabilities;

  constructor(private readonly embedders: readonly Embedder[]) {
    const first = embedders[0];
    if (!first) throw new Error('FallbackEmbedder needs at least one embedder.');
    const dimensions = first.capabilities.dimensions;
    const odd = embedders.find((e) => e.capabilities.dimensions !== dimensions);
    if (odd) {
      throw new Error(`FallbackEmbedder: ${odd.id} makes ${odd.capabilities.dimensions} dimensions, ${first.id} ${dimensions}; all must match the stored size.`);
    }
    this.id = first.id;
    this.capabilities = {
      dimensions,
      maxBatch: Math.min(...embedders.map((e) => e.capabilities.maxBatch)),
      // Local only if no choice can send text away.
      local: embedders.every((e) => e.capabilities.local),
    };
  }

  async embed(texts: readonly string[]): Promise<Embeddings> {
    const errors: unknown[] = [];
    for (const embedder of this.embedders) {
      try {
        return await embedder.embed(texts);
      } catch (err) {
        errors.push(err);
      }
    }
    const messages = errors.map((err, i) => `${this.embedders[i]?.id}: ${err instanceof Error ? err.message : String(err)}`);
    // Worth retrying if any choice might recover by itself.
    const retryable = errors.some((err) => !(err instanceof EmbedError) || err.retryable);
    throw new EmbedError(`Every embedder failed. ${messages.join(' | ')}`, { retryable, cause: errors });
  }
}
