import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAIEmbedder } from '../src/providers/embed/openai.js';
import { EmbedError } from '../src/providers/embed/port.js';
import { HashEmbedder } from '../src/providers/embed/fake.js';
import { startOpenAIStandIn, type OpenAIStandIn } from './openai-stand-in.js';

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

describe('OpenAIEmbedder against a local OpenAI stand-in', () => {
  let standIn: OpenAIStandIn;
  const embedder = () => new OpenAIEmbedder({ apiKey: 'sk-test', baseURL: standIn.baseURL, maxRetries: 0 });

  beforeAll(async () => {
    standIn = await startOpenAIStandIn();
  });
  afterAll(() => standIn.close());
  beforeEach(() => {
    standIn.requests.length = 0;
  });

  it('sends model, 512 dimensions and the inputs with the bearer key', async () => {
    await embedder().embed(['walked the dog', 'slept badly']);
    expect(standIn.requests).toHaveLength(1);
    const [seen] = standIn.requests;
    expect(seen?.authorization).toBe('Bearer sk-test');
    expect(seen?.body).toMatchObject({
      model: 'text-embedding-3-small',
      dimensions: 512,
      input: ['walked the dog', 'slept badly'],
      encoding_format: 'base64',
    });
  });

  it('decodes base64 vectors, restores input order and normalises them', async () => {
    const texts = ['walked the dog', 'slept badly', 'bought groceries'];
    const { model, vectors } = await embedder().embed(texts);
    expect(model).toBe('openai:text-embedding-3-small@512');
    const expected = (await new HashEmbedder(512).embed(texts)).vectors;
    expect(vectors).toHaveLength(3);
    vectors.forEach((v, i) => {
      expect(v).toHaveLength(512);
      expect(norm(v)).toBeCloseTo(1, 5); // the stand-in sends length 3
      expect(v[0]).toBeCloseTo(expected[i]![0]!, 5);
      expect(v.findIndex((x) => x !== 0)).toBe(expected[i]!.findIndex((x) => x !== 0));
    });
  });

  it('splits inputs bigger than one request allows', async () => {
    const texts = Array.from({ length: 2050 }, (_, i) => `entry ${i}`);
    const { vectors } = await embedder().embed(texts);
    expect(vectors).toHaveLength(2050);
    expect(standIn.requests.map((r) => r.body.input.length)).toEqual([2048, 2]);
  });

  it('turns a rejected key into an error that names OPENAI_API_KEY and is not retryable', async () => {
    standIn.failNext({ status: 401, code: 'invalid_api_key' });
    const err = await embedder().embed(['my private journal line']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect((err as EmbedError).message).toMatch(/OPENAI_API_KEY/);
    expect((err as EmbedError).message).not.toMatch(/private journal/);
    expect(err).toMatchObject({ status: 401, retryable: false });
  });

  it('turns a rate limit into a retryable error that says to retry later', async () => {
    standIn.failNext({ status: 429, code: 'rate_limit_exceeded' });
    const err = await embedder().embed(['my private journal line']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect((err as EmbedError).message).toMatch(/retry later/);
    expect((err as EmbedError).message).not.toMatch(/private journal/);
    expect(err).toMatchObject({ status: 429, retryable: true });
  });

  it('says to add credit when the quota is exhausted, which waiting does not fix', async () => {
    standIn.failNext({ status: 429, code: 'insufficient_quota' });
    const err = await embedder().embed(['x']).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, retryable: false });
    expect((err as EmbedError).message).toMatch(/quota/);
  });

  it('lets the SDK retry a passing rate limit by itself', async () => {
    standIn.failNext({ status: 429, code: 'rate_limit_exceeded' });
    const patient = new OpenAIEmbedder({ apiKey: 'sk-test', baseURL: standIn.baseURL, maxRetries: 1 });
    const { vectors } = await patient.embed(['x']);
    expect(vectors).toHaveLength(1);
    expect(standIn.requests).toHaveLength(2);
  });

  it('reports an unreachable endpoint as retryable', async () => {
    const offline = new OpenAIEmbedder({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 });
    const err = await offline.embed(['x']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbedError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as EmbedError).message).toMatch(/Could not reach/);
  });
});
