import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ElevenLabsTTS } from '../src/providers/tts/elevenlabs.js';
import { FakeTTS } from '../src/providers/tts/fake.js';
import { FallbackTTS } from '../src/providers/tts/fallback.js';
import { LocalTTS } from '../src/providers/tts/local.js';
import type { TextToSpeech } from '../src/providers/tts/port.js';
import { TtsError, createResampler, resample } from '../src/providers/tts/port.js';
import { ResampledTTS } from '../src/providers/tts/resampled.js';
import { startElevenLabsStandIn, type ElevenLabsStandIn } from '../src/providers/tts/testing/elevenlabs-stand-in.js';

let standIn: ElevenLabsStandIn;
const local = new LocalTTS();
beforeAll(async () => {
  standIn = await startElevenLabsStandIn();
  standIn.audio = { chunks: 8, chunkBytes: 3201, delayMs: 15, headerDelayMs: 0 };
  await local.warm();
}, 60_000);
afterAll(async () => {
  await local.close();
  await standIn.close();
});

const collect = async (chunks: AsyncIterable<Int16Array>) => {
  const out: Int16Array[] = [];
  for await (const pcm of chunks) out.push(pcm);
  return out;
};
const samples = (chunks: Int16Array[]) => chunks.reduce((n, c) => n + c.length, 0);
const REPLY = 'Done. I added call the dentist, for tomorrow at nine. Anything else for today?';

// One contract, every provider: as hono runs one router suite over every router.
const cases: Array<[string, () => TextToSpeech]> = [
  ['FakeTTS', () => new FakeTTS({ delayMs: 5 })],
  ['LocalTTS (flite)', () => local],
  ['ElevenLabsTTS (stand-in)', () => new ElevenLabsTTS({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl })],
  ['FallbackTTS', () => new FallbackTTS([new FakeTTS({ fail: { afterChunks: 0, error: new Error('down') } }), new FakeTTS({ delayMs: 5 })])],
  ['ResampledTTS (48 kHz)', () => new ResampledTTS(new FakeTTS({ delayMs: 5 }), 48_000)],
];

describe.each(cases)('%s keeps the text-to-speech contract', (_name, make) => {
  it('yields Int16 chunks of audio at the advertised rate, more than one for a multi-clause reply', async () => {
    const tts = make();
    const chunks = await collect(tts.synthesize(REPLY));
    expect(chunks.length).toBeGreaterThan(1);
    for (const pcm of chunks) expect(pcm).toBeInstanceOf(Int16Array);
    const seconds = samples(chunks) / tts.capabilities.sampleRate;
    expect(seconds).toBeGreaterThan(0.3);
    expect(seconds).toBeLessThan(15);
    expect(chunks.some((pcm) => pcm.some((x) => Math.abs(x) > 1000))).toBe(true);
  });

  it('says nothing for empty text', async () => {
    expect(await collect(make().synthesize(''))).toEqual([]);
  });

  it('says nothing when aborted before it starts', async () => {
    const abort = new AbortController();
    abort.abort();
    expect(await collect(make().synthesize(REPLY, { signal: abort.signal }))).toEqual([]);
  });

  it('ends without an error, promptly, when aborted after the first chunk', async () => {
    const abort = new AbortController();
    let chunks = 0;
    const afterAbort = { turned: false };
    for await (const _pcm of make().synthesize(REPLY, { signal: abort.signal })) {
      chunks++;
      setImmediate(() => (afterAbort.turned = true));
      abort.abort();
    }
    expect(chunks).toBe(1);
    // Ended before the event loop went round once more: it did not wait for the next chunk (a
    // timer, a socket read or an engine reply away) nor for anything else to finish.
    expect(afterAbort.turned).toBe(false);
  });

  it('can be left early and used again, also by two replies at once', async () => {
    const tts = make();
    for await (const _pcm of tts.synthesize(REPLY)) break;
    const [a, b] = await Promise.all([collect(tts.synthesize(REPLY)), collect(tts.synthesize('Yes, it is done.'))]);
    expect(samples(a)).toBeGreaterThan(0);
    expect(samples(b)).toBeGreaterThan(0);
  });
});

describe('FallbackTTS', () => {
  const failing = (afterChunks: number, retryable = true) =>
    new FakeTTS({ id: `down-after-${afterChunks}`, fail: { afterChunks, error: new TtsError('provider down', { retryable }) } });

  it('uses the next provider when the first fails before any audio', async () => {
    const backup = new FakeTTS({ id: 'backup' });
    const tts = new FallbackTTS([failing(0), backup]);
    expect(samples(await collect(tts.synthesize('Hello there.')))).toBeGreaterThan(0);
    expect(backup.texts).toEqual(['Hello there.']);
  });

  it('does not switch voices mid-reply: a failure after audio reaches the caller', async () => {
    const backup = new FakeTTS({ id: 'backup' });
    const tts = new FallbackTTS([failing(2), backup]);
    await expect(collect(tts.synthesize('A reply of quite a few words here.'))).rejects.toThrow('provider down');
    expect(backup.texts).toEqual([]);
  });

  it('gives up on a provider that stays silent past startTimeoutMs', async () => {
    let stopped = false;
    const hung: TextToSpeech = {
      id: 'hung',
      capabilities: { streaming: true, local: false, sampleRate: 16_000 },
      async *synthesize(_text, options) {
        await new Promise((resolve) => options?.signal?.addEventListener('abort', resolve));
        stopped = true;
      },
    };
    const backup = new FakeTTS({ id: 'backup' });
    // Fake clocks: "past startTimeoutMs" is then exact, whatever the load on the machine.
    vi.useFakeTimers();
    try {
      const tts = new FallbackTTS([hung, backup], { startTimeoutMs: 100 });
      const reply = collect(tts.synthesize('Hello there.'));
      await vi.advanceTimersByTimeAsync(99);
      expect(backup.texts).toEqual([]); // still waiting for the first provider
      await vi.advanceTimersByTimeAsync(1);
      expect(backup.texts).toEqual(['Hello there.']); // and asked the next one at 100 ms
      expect(samples(await reply)).toBeGreaterThan(0);
      expect(stopped).toBe(true); // the provider given up on was told to stop
    } finally {
      vi.useRealTimers();
    }
  });

  it('falls back from ElevenLabs answering 429 to the local voice', async () => {
    standIn.failNext(429, 'too_many_concurrent_requests');
    const tts = new FallbackTTS([new ElevenLabsTTS({ apiKey: standIn.apiKey, baseUrl: standIn.baseUrl }), local]);
    expect(tts.capabilities).toEqual({ streaming: true, local: false, sampleRate: 16_000 });
    expect(samples(await collect(tts.synthesize('Hello there.')))).toBeGreaterThan(16_000 * 0.5);
  });

  it('reports every failure, retryable if any provider may recover', async () => {
    const err = await collect(new FallbackTTS([failing(0, false), failing(0, true)]).synthesize('Hi.')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TtsError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/down-after-0: provider down \| down-after-0: provider down/);
  });

  it('refuses providers at different sample rates and names the fix', () => {
    expect(() => new FallbackTTS([new FakeTTS(), new FakeTTS({ sampleRate: 22_050 })])).toThrow(/ResampledTTS/);
  });
});

describe('resample', () => {
  it('turns 16 kHz into 48 kHz with the same duration and shape', () => {
    const tone = Int16Array.from({ length: 1600 }, (_, i) => Math.round(10_000 * Math.sin((2 * Math.PI * 200 * i) / 16_000)));
    const up = resample(tone, 16_000, 48_000);
    expect(up.length).toBeGreaterThanOrEqual(3 * 1600 - 3);
    expect(up.length).toBeLessThanOrEqual(3 * 1600);
    for (let i = 0; i < 1599; i++) expect(up[3 * i]).toBe(tone[i]); // every third sample is an original one
  });

  it('gives the same result whether the signal comes whole or in odd-sized chunks', () => {
    const signal = Int16Array.from({ length: 2205 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
    const whole = resample(signal, 22_050, 16_000);
    const convert = createResampler(22_050, 16_000);
    const parts = [0, 1, 2, 300, 301, 1000, 2205].slice(1).map((end, i, ends) => convert(signal.subarray(i === 0 ? 0 : ends[i - 1], end)));
    const joined = Int16Array.from(parts.flatMap((p) => Array.from(p)));
    expect(joined).toEqual(whole);
    expect(whole.length).toBeGreaterThan(1590);
  });
});
