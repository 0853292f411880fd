import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ElevenLabsTTS } from '../src/providers/tts/elevenlabs.js';
import { TtsError } from '../src/providers/tts/port.js';
import { startElevenLabsStandIn, type ElevenLabsStandIn } from '../src/providers/tts/testing/elevenlabs-stand-in.js';

const SECRET = 'my private reminder about the dentist';

describe('ElevenLabsTTS against a local ElevenLabs stand-in', () => {
  let standIn: ElevenLabsStandIn;
  const tts = (apiKey = standIn.apiKey) => new ElevenLabsTTS({ apiKey, baseUrl: standIn.baseUrl, voiceId: 'voice-1' });

  beforeAll(async () => {
    standIn = await startElevenLabsStandIn();
  });
  afterAll(() => standIn.close());
  beforeEach(() => {
    standIn.requests.length = 0;
    standIn.replies.length = 0;
    standIn.sent = [];
    standIn.audio = { chunks: 5, chunkBytes: 3201, delayMs: 40, headerDelayMs: 0 };
  });

  /** `turned` becomes true once the event loop has gone round: anything waiting on I/O or a timer takes that long. */
  const eventLoopTurn = () => {
    const loop = { turned: false };
    setImmediate(() => (loop.turned = true));
    return loop;
  };

  const collect = async (chunks: AsyncIterable<Int16Array>) => {
    const out: Int16Array[] = [];
    for await (const pcm of chunks) out.push(pcm);
    return out;
  };

  it('posts the text, model and 16 kHz PCM format to the voice stream with the xi-api-key header', async () => {
    await collect(tts().synthesize('Added: call the dentist.'));
    expect(standIn.requests).toEqual([
      {
        voiceId: 'voice-1',
        outputFormat: 'pcm_16000',
        apiKey: standIn.apiKey,
        body: expect.objectContaining({ text: 'Added: call the dentist.', model_id: 'eleven_flash_v2_5' }),
      },
    ]);
  });

  it('speaks with the voice asked for in the call', async () => {
    await collect(tts().synthesize('Hello.', { voice: 'voice-2' }));
    expect(standIn.requests[0]?.voiceId).toBe('voice-2');
  });

  it('yields the first chunk while the stand-in is still sending', async () => {
    standIn.audio = { chunks: 6, chunkBytes: 3201, delayMs: 80, headerDelayMs: 0 };
    const sentAtArrival: number[] = []; // chunks the stand-in had written when each one reached us
    for await (const _pcm of tts().synthesize('A reply long enough to stream.')) sentAtArrival.push(standIn.sent[0]!);
    expect((await standIn.replies[0]!).completed).toBe(true);
    expect(sentAtArrival.length).toBeGreaterThanOrEqual(4); // chunks 80 ms apart arrive one by one
    // A client that read the whole body first would see its first audio only after all 6 were written.
    expect(sentAtArrival[0]).toBeLessThan(6);
  });

  it('reassembles samples split across HTTP chunks exactly', async () => {
    standIn.audio = { chunks: 7, chunkBytes: 1001, delayMs: 5, headerDelayMs: 0 }; // odd sizes split samples
    const chunks = await collect(tts().synthesize('Exact bytes, please.'));
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const joined = new Int16Array(total);
    chunks.reduce((at, c) => (joined.set(c, at), at + c.length), 0);
    expect(joined).toEqual(standIn.expectedSamples(7 * 1001));
  });

  it('stops the stream at once when aborted after the first chunk, and closes the connection', async () => {
    standIn.audio = { chunks: 20, chunkBytes: 3200, delayMs: 50, headerDelayMs: 0 };
    const abort = new AbortController();
    let chunks = 0;
    let afterAbort = { turned: false };
    for await (const _pcm of tts().synthesize('A long reply that the person talks over.', { signal: abort.signal })) {
      chunks++;
      // As in a barge-in, the abort comes from elsewhere while the stream waits for its next chunk.
      if (chunks === 1) {
        setImmediate(() => {
          afterAbort = eventLoopTurn();
          abort.abort();
        });
      }
    }
    expect(chunks).toBe(1);
    // Ended on the abort itself, before the event loop turned again: it waited neither for more
    // audio nor for fetch to fail the aborted body (which it does only later).
    expect(afterAbort.turned).toBe(false);
    const reply = await standIn.replies[0]!;
    expect(reply.completed).toBe(false); // the stand-in saw the client hang up mid-stream
  });

  it('ends quietly when aborted before the response starts', async () => {
    standIn.audio = { chunks: 3, chunkBytes: 3200, delayMs: 10, headerDelayMs: 2000 };
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    expect(await collect(tts().synthesize('Too late.', { signal: abort.signal }))).toEqual([]);
    // It ended on the abort, not when the response finally started (the stand-in's first write
    // comes with its headers, 2 s after the request): no audio had been sent yet.
    expect(Math.max(0, ...standIn.sent)).toBe(0);
  });

  it('closes the connection when the caller stops reading early', async () => {
    standIn.audio = { chunks: 20, chunkBytes: 3200, delayMs: 50, headerDelayMs: 0 };
    for await (const _pcm of tts().synthesize('Only the start is needed.')) break;
    expect((await standIn.replies[0]!).completed).toBe(false);
  });

  it('turns a rejected key into an error that names ELEVENLABS_API_KEY and is not retryable', async () => {
    const err = await collect(tts('wrong-key').synthesize(SECRET)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect((err as TtsError).message).toMatch(/ELEVENLABS_API_KEY/);
    expect((err as TtsError).message).not.toMatch(/dentist/);
  });

  it('says the quota is used up when ElevenLabs answers 401 quota_exceeded', async () => {
    standIn.failNext(401, 'quota_exceeded');
    const err = await collect(tts().synthesize(SECRET)).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401, retryable: false });
    expect((err as TtsError).message).toMatch(/quota/);
  });

  it('turns a rate limit into a retryable error that says to retry later', async () => {
    standIn.failNext(429, 'too_many_concurrent_requests');
    const err = await collect(tts().synthesize(SECRET)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect(err).toMatchObject({ status: 429, retryable: true });
    expect((err as TtsError).message).toMatch(/retry later/);
    expect((err as TtsError).message).not.toMatch(/dentist/);
  });

  it('treats a server error as retryable', async () => {
    standIn.failNext(503, 'service_unavailable');
    const err = await collect(tts().synthesize('Hello.')).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, retryable: true });
  });

  it('says to check the network when ElevenLabs cannot be reached', async () => {
    const offline = new ElevenLabsTTS({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    const err = await collect(offline.synthesize('Hello.')).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true });
    expect((err as TtsError).message).toMatch(/Could not reach ElevenLabs/);
  });

  it('sends nothing for empty text', async () => {
    expect(await collect(tts().synthesize('  '))).toEqual([]);
    expect(standIn.requests).toHaveLength(0);
  });
});
