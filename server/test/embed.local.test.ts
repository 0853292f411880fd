import { describe, expect, it, vi } from 'vitest';
import { LocalEmbedder } from '../src/providers/embed/local.js';

// Count model loads, and see what source each asks for: initModel() without one downloads.
const loads = vi.hoisted(() => [] as unknown[]);
vi.mock('@energetic-ai/embeddings', async (importOriginal) => {
  const real = await importOriginal<typeof import('@energetic-ai/embeddings')>();
  return {
    ...real,
    initModel: (source?: Parameters<typeof real.initModel>[0]) => {
      loads.push(source);
      return real.initModel(source);
    },
  };
});

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('LocalEmbedder (Universal Sentence Encoder lite, packaged weights)', () => {
  const embedder = new LocalEmbedder();

  it('scores a paraphrase above an unrelated sentence', async () => {
    const { model, vectors } = await embedder.embed([
      'I slept badly and felt tired',
      'poor night of sleep, exhausted',
      'bought groceries for the party',
    ]);
    const [tired, paraphrase, groceries] = vectors as [number[], number[], number[]];
    expect(model).toBe('local-use-lite-512');
    expect(dot(tired, paraphrase)).toBeGreaterThan(dot(tired, groceries) + 0.1);
    expect(dot(paraphrase, tired)).toBeGreaterThan(dot(paraphrase, groceries) + 0.1);
  });

  it('gives 512 unit-length dimensions, also for empty text', async () => {
    const { vectors } = await embedder.embed(['hello', '']);
    expect(vectors).toHaveLength(2);
    for (const v of vectors) {
      expect(v).toHaveLength(512);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
  });

  it('loads the model once when first calls arrive together', async () => {
    const fresh = new LocalEmbedder({ maxBatch: 2 });
    loads.length = 0;
    const texts = ['a walk by the river', 'a long day at work', 'dinner with friends'];
    const [together, alone] = await Promise.all([fresh.embed(texts), fresh.embed([texts[2]!])]);
    expect(together.vectors).toHaveLength(3);
    expect(loads).toHaveLength(1);
    expect(loads[0]).toBeTypeOf('function'); // the packaged weights, never the hub default
    // Batching (2 + 1) gives the same vector as embedding the text on its own.
    expect(dot(together.vectors[2]!, alone.vectors[0]!)).toBeCloseTo(1, 4);
  });
});
