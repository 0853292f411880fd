import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../src/providers/embed/port.js';
import { EmbedError } from '../src/providers/embed/port.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { LocalEmbedder } from '../src/providers/embed/local.js';
import { OpenAIEmbedder } from '../src/providers/embed/openai.js';
import { FallbackEmbedder } from '../src/providers/embed/fallback.js';
import { startOpenAIStandIn, type OpenAIStandIn } from './openai-stand-in.js';

let standIn: OpenAIStandIn;
beforeAll(async () => {
  standIn = await startOpenAIStandIn();
});
afterAll(() => standIn.close());

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const texts = ['Ran 5 km before work', 'argued with my sister about money', '', 'the garden is full of tomatoes', 'Ran 5 km before work'];

// One contract, every embedder: as hono runs one router suite over every router.
const cases: Array<[string, () => Embedder]> = [
  ['HashEmbedder', () => new HashEmbedder()],
  ['LocalEmbedder', () => new LocalEmbedder({ maxBatch: 2 })],
  ['OpenAIEmbedder (stand-in)', () => new OpenAIEmbedder({ apiKey: 'sk-test', baseURL: standIn.baseURL, maxRetries: 0 })],
  ['FallbackEmbedder', () => new FallbackEmbedder([new HashEmbedder()])],
];

describe.each(cases)('%s keeps the embedder contract', (_name, make) => {
  it('returns one unit vector of the advertised size per text, labelled with its model', async () => {
    const embedder = make();
    const { model, vectors } = await embedder.embed(texts);
    expect(model).toBe(embedder.id);
    expect(vectors).toHaveLength(texts.length);
    for (const v of vectors) {
      expect(v).toHaveLength(embedder.capabilities.dimensions);
      expect(embedder.capabilities.dimensions).toBe(512);
      expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    }
  });

  it('keeps input order across batches', async () => {
    const embedder = make();
    const all = await embedder.embed(texts);
    const one = await embedder.embed([texts[3]!]);
    expect(dot(all.vectors[3]!, one.vectors[0]!)).toBeCloseTo(1, 4);
    expect(dot(all.vectors[0]!, all.vectors[4]!)).toBeCloseTo(1, 4); // same text, same vector
    expect(dot(all.vectors[0]!, all.vectors[1]!)).toBeLessThan(0.9);
  });

  it('answers an empty list with no vectors', async () => {
    expect((await make().embed([])).vectors).toEqual([]);
  });
});

describe('FallbackEmbedder', () => {
  const failing = (retryable: boolean): Embedder => ({
    id: 'down',
    capabilities: { dimensions: 512, maxBatch: 8, local: false },
    embed: () => Promise.reject(new EmbedError('down for maintenance', { retryable })),
  });

  it('labels vectors with the embedder that actually made them', async () => {
    const fallback = new FallbackEmbedder([failing(true), new HashEmbedder()]);
    expect(fallback.id).toBe('down');
    expect(fallback.capabilities).toEqual({ dimensions: 512, maxBatch: 8, local: false });
    const { model, vectors } = await fallback.embed(['x']);
    expect(model).toBe('hash-bow-512');
    expect(vectors).toHaveLength(1);
  });

  it('reports every failure, retryable if any one may recover', async () => {
    const err = await new FallbackEmbedder([failing(false), failing(true)]).embed(['x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/down: down for maintenance \| down: down/);
  });

  it('refuses embedders of different sizes', () => {
    expect(() => new FallbackEmbedder([new HashEmbedder(512), new HashEmbedder(256)])).toThrow(/dimensions/);
  });
});
