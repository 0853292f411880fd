import OpenAI from 'openai';
import type { Embedder, EmbedderCapabilities, Embeddings } from './port.js';
import { EmbedError, chunk, normalise } from './port.js';

export interface OpenAIEmbedderOptions {
  apiKey: string;
  /** Another OpenAI-compatible endpoint, or a local stand-in in tests. */
  baseURL?: string;
  /** Default `text-embedding-3-small`. */
  model?: string;
  /** Asked of the API (text-embedding-3 models shorten natively). Default 512, the stored size. */
  dimensions?: number;
  /** The SDK's own retries with backoff on 429, 5xx and timeouts. Default 2. */
  maxRetries?: number;
  /** Per request, in ms. Default 30 s. */
  timeoutMs?: number;
}

/**
 * OpenAI embeddings through the official SDK. Sends journal text to OpenAI
 * (`capabilities.local` is false).
 *
 * @example
 * ```ts
 * const embedder = new OpenAIEmbedder({ apiKey: process.env.OPENAI_API_KEY! });
 * const { model, vectors } = await embedder.embed(['walked the dog at dawn']);
 * // model === 'openai:text-embedding-3-small@512'
 * ```
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly capabilities: EmbedderCapabilities;
  private readonly client: OpenAI;
  private readonly model: string;

  constructor(options: OpenAIEmbedderOptions) {
    this.model = options.model ?? 'text-embedding-3-small';
    const dimensions = options.dimensions ?? 512;
    this.id = `openai:${this.model}@${dimensions}`;
    // The API takes at most 2048 inputs per request.
    this.capabilities = { dimensions, maxBatch: 2048, local: false };
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
      maxRetries: options.maxRetries ?? 2,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  async embed(texts: readonly string[]): Promise<Embeddings> {
    const vectors: number[][] = [];
    for (const batch of chunk(texts, this.capabilities.maxBatch)) {
      // The API rejects empty strings; a space embeds as "nothing said".
      const input = batch.map((t) => (t.length === 0 ? ' ' : t));
      let res: OpenAI.CreateEmbeddingResponse;
      try {
        res = await this.client.embeddings.create({ model: this.model, input, dimensions: this.capabilities.dimensions });
      } catch (err) {
        throw toEmbedError(err, this.model);
      }
      const rows = [...res.data].sort((a, b) => a.index - b.index);
      if (rows.length !== input.length) {
        throw new EmbedError(`OpenAI returned ${rows.length} embeddings for ${input.length} texts; retry later.`, { retryable: true });
      }
      for (const row of rows) {
        // The SDK decodes its default base64 reply to a Float32Array; plain arrays come back as is.
        const v = Array.from(row.embedding);
        if (v.length !== this.capabilities.dimensions) {
          throw new EmbedError(
            `OpenAI returned ${v.length} dimensions, expected ${this.capabilities.dimensions}: ` +
              `use a model that supports the dimensions parameter (text-embedding-3-*).`,
            { retryable: false },
          );
        }
        vectors.push(normalise(v));
      }
    }
    return { model: this.id, vectors };
  }
}

/** Maps SDK errors to messages that say what to do. Never includes the input text. */
function toEmbedError(err: unknown, model: string): EmbedError {
  if (!(err instanceof OpenAI.APIError)) {
    return new EmbedError('OpenAI embeddings failed unexpectedly (see cause); this is likely a bug, not an outage.', { retryable: false, cause: err });
  }
  const ref = err.requestID ? ` (request ${err.requestID})` : '';
  const status = err.status;
  const withStatus = (retryable: boolean) => (status === undefined ? { retryable, cause: err } : { retryable, status, cause: err });
  if (err instanceof OpenAI.APIConnectionError) {
    return new EmbedError(
      `Could not reach the OpenAI API${err instanceof OpenAI.APIConnectionTimeoutError ? ' in time' : ''}: ` +
        'check the network and OPENAI_BASE_URL, then retry.',
      withStatus(true),
    );
  }
  if (err instanceof OpenAI.AuthenticationError) {
    return new EmbedError(`OpenAI rejected the API key (401)${ref}: check OPENAI_API_KEY.`, withStatus(false));
  }
  if (err instanceof OpenAI.PermissionDeniedError) {
    return new EmbedError(`OpenAI denied access to ${model} (403)${ref}: check the key's project and model permissions.`, withStatus(false));
  }
  if (err instanceof OpenAI.RateLimitError) {
    if (err.code === 'insufficient_quota') {
      return new EmbedError(`OpenAI quota exhausted (429)${ref}: add credit or raise the limit for this OPENAI_API_KEY.`, withStatus(false));
    }
    return new EmbedError(`OpenAI rate limit reached (429)${ref}: retry later, or send fewer requests.`, withStatus(true));
  }
  if (err instanceof OpenAI.NotFoundError) {
    return new EmbedError(`OpenAI does not know the model ${model} (404)${ref}: check the embedding model name.`, withStatus(false));
  }
  if (status !== undefined && status >= 500) {
    return new EmbedError(`OpenAI had a server error (${status})${ref}: retry later.`, withStatus(true));
  }
  // err.message may quote the request; keep only its code.
  return new EmbedError(`OpenAI refused the embeddings request (${status ?? 'no status'}, ${err.code ?? err.type ?? 'no code'})${ref}.`, withStatus(false));
}
