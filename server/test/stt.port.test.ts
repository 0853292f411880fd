import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechToText } from '../src/providers/stt/port.js';
import { STTError } from '../src/providers/stt/port.js';
import { FakeSTT } from '../src/providers/stt/fake.js';
import { FallbackSTT } from '../src/providers/stt/fallback.js';
import { OpenAISTT } from '../src/providers/stt/openai.js';
import { PocketSphinxSTT } from '../src/providers/stt/local.js';
import { join16, requireSpeechTools, silence, synthesize } from './support/speech.js';
import { startTranscriptionsStandIn, type TranscriptionsStandIn } from './support/openai-transcriptions.js';

let standIn: TranscriptionsStandIn;
let spoken: Int16Array;
const local = new PocketSphinxSTT();
beforeAll(async () => {
  standIn = await startTranscriptionsStandIn();
  await requireSpeechTools();
  spoken = join16(silence(0.3), await synthesize('add a task call the dentist tomorrow'), silence(0.3));
});
afterAll(async () => {
  await standIn.close();
  await local.close();
});

interface Case {
  make: () => SpeechToText;
  /** An utterance and what must be heard in it. */
  speech: () => { audio: Int16Array; heard: RegExp };
  /**
   * Audio, and a setting, that make the next call outlast the test (60 s): one that ends in a
   * passing test was ended by its abort, whatever the load on the machine.
   */
  slowly: (stt: SpeechToText) => Promise<{ audio: Int16Array; restore(): void }>;
}

const OUTLASTS_THE_TEST = 120_000;
const marked = () => ({ audio: FakeSTT.speak('call the dentist'), heard: /^call the dentist$/ });
const fakeInside = new FakeSTT();
const slowFake = async (fake: FakeSTT) => {
  fake.delayMs = OUTLASTS_THE_TEST;
  return { audio: FakeSTT.speak('slow'), restore: () => void (fake.delayMs = 0) };
};

// One contract, every provider: as hono runs one router suite over every router.
const cases: Array<[string, Case]> = [
  ['FakeSTT', { make: () => new FakeSTT(), speech: marked, slowly: (stt) => slowFake(stt as FakeSTT) }],
  [
    'PocketSphinxSTT',
    {
      make: () => local, // one warm engine for the suite, as in production
      speech: () => ({ audio: spoken, heard: /dentist/ }),
      slowly: async () => {
        await local.warmUp();
        const pid = local.worker.pid!;
        process.kill(pid, 'SIGSTOP'); // the decoder freezes until restore(), so the call cannot finish by itself
        return { audio: spoken, restore: () => void process.kill(pid, 'SIGCONT') };
      },
    },
  ],
  [
    'OpenAISTT (stand-in)',
    {
      make: () => new OpenAISTT({ apiKey: 'sk-test', baseURL: standIn.baseURL, maxRetries: 0 }),
      speech: marked,
      slowly: async () => {
        standIn.delayMs = OUTLASTS_THE_TEST;
        return { audio: FakeSTT.speak('slow'), restore: () => void (standIn.delayMs = 0) };
      },
    },
  ],
  ['FallbackSTT', { make: () => new FallbackSTT([fakeInside]), speech: marked, slowly: () => slowFake(fakeInside) }],
];

describe.each(cases)('%s keeps the speech-to-text contract', (_name, c) => {
  it('transcribes an utterance and says which engine did', async () => {
    const stt = c.make();
    const { audio, heard } = c.speech();
    const result = await stt.transcribe(audio);
    expect(result.text).toMatch(heard);
    expect(result.engine).toBe(stt instanceof FallbackSTT ? 'fake' : stt.id);
    if (result.confidence !== undefined) expect(result.confidence).toBeGreaterThanOrEqual(0), expect(result.confidence).toBeLessThanOrEqual(1);
  }, 60_000);

  it("answers empty and too-short audio with '' rather than an error", async () => {
    const stt = c.make();
    for (const audio of [new Int16Array(0), new Int16Array(400), silence(0.05)]) {
      expect(await stt.transcribe(audio)).toEqual({ text: '', engine: expect.any(String) });
    }
  }, 60_000);

  it('rejects with an AbortError at once when aborted, before or during the call, and still works after', async () => {
    const stt = c.make();
    const before = AbortSignal.abort();
    await expect(stt.transcribe(c.speech().audio, { signal: before })).rejects.toMatchObject({ name: 'AbortError' });

    const controller = new AbortController();
    const slow = await c.slowly(stt);
    try {
      const call = stt.transcribe(slow.audio, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      // The call cannot finish within the test by itself (see `slowly`): this rejection is the abort's.
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      slow.restore();
    }
    const { audio, heard } = c.speech();
    expect((await stt.transcribe(audio)).text).toMatch(heard);
  }, 60_000);

  it('advertises its capabilities', () => {
    const { capabilities } = c.make();
    expect(capabilities).toEqual({ streaming: expect.any(Boolean), interimResults: expect.any(Boolean), local: expect.any(Boolean) });
    if (capabilities.interimResults) expect(capabilities.streaming).toBe(true);
    expect(typeof c.make().stream === 'function').toBe(capabilities.streaming);
  });
});

describe('FallbackSTT', () => {
  const failing = (id: string, retryable: boolean): SpeechToText => ({
    id,
    capabilities: { streaming: false, interimResults: false, local: false },
    transcribe: () => Promise.reject(new STTError(`${id} is down`, { retryable })),
  });

  it('answers with the first provider that succeeds and names it', async () => {
    const stt = new FallbackSTT([failing('openai:whisper-1', true), new FakeSTT({ id: 'local' })]);
    expect(stt.id).toBe('openai:whisper-1');
    expect(stt.capabilities.local).toBe(false);
    expect(await stt.transcribe(FakeSTT.speak('walk the dog'))).toEqual({ text: 'walk the dog', engine: 'local' });
  });

  it('reports every failure, retryable if any one may recover', async () => {
    const err = await new FallbackSTT([failing('a', false), failing('b', true)]).transcribe(FakeSTT.speak('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(STTError);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/a: a is down \| b: b is down/);
  });

  it('does not fall through to the next provider after an abort', async () => {
    const second = new FakeSTT();
    const controller = new AbortController();
    const call = new FallbackSTT([new FakeSTT({ delayMs: 500 }), second]).transcribe(FakeSTT.speak('x'), { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(second.calls).toHaveLength(0);
  });
});
