import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OpenAISTT } from '../src/providers/stt/openai.js';
import { FakeSTT } from '../src/providers/stt/fake.js';
import { STTError } from '../src/providers/stt/port.js';
import { startTranscriptionsStandIn, type TranscriptionsStandIn } from './support/openai-transcriptions.js';

let standIn: TranscriptionsStandIn;
beforeAll(async () => {
  standIn = await startTranscriptionsStandIn();
});
afterAll(() => standIn.close());
afterEach(() => {
  standIn.requests.length = 0;
  standIn.delayMs = 0;
  vi.restoreAllMocks();
});

const make = (options: { model?: string; maxRetries?: number } = {}) =>
  new OpenAISTT({ apiKey: 'sk-test', baseURL: standIn.baseURL, maxRetries: 0, ...options });

describe('OpenAISTT against a stand-in of POST /v1/audio/transcriptions', () => {
  it('uploads a 16 kHz mono WAV with model, language and hints, and returns the text', async () => {
    const audio = FakeSTT.speak('Call the dentist tomorrow.');
    const result = await make().transcribe(audio, { language: 'en-GB', hints: ['Dentist', 'Morning run'] });

    expect(result).toEqual({ text: 'Call the dentist tomorrow.', engine: 'openai:whisper-1' });
    expect(standIn.requests).toHaveLength(1);
    const seen = standIn.requests[0]!;
    expect(seen.authorization).toBe('Bearer sk-test');
    expect(seen.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen.fields).toMatchObject({ model: 'whisper-1', language: 'en', prompt: 'Dentist, Morning run', response_format: 'json' });
    expect(seen.file).toMatchObject({ name: 'speech.wav', type: 'audio/wav' });
    expect(seen.file!.bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(seen.wav).toEqual({ sampleRate: 16_000, channels: 1, samples: audio.length });
    expect(seen.file!.bytes.length).toBe(44 + audio.length * 2);
  });

  it('uses the configured model and sends no language or prompt when none is given', async () => {
    const stt = make({ model: 'gpt-4o-transcribe' });
    expect(stt.id).toBe('openai:gpt-4o-transcribe');
    const result = await stt.transcribe(FakeSTT.speak('hello'));
    expect(result.engine).toBe('openai:gpt-4o-transcribe');
    expect(standIn.requests[0]!.fields['model']).toBe('gpt-4o-transcribe');
    expect(standIn.requests[0]!.fields).not.toHaveProperty('language');
    expect(standIn.requests[0]!.fields).not.toHaveProperty('prompt');
  });

  it('maps 401 to a non-retryable error that says to check OPENAI_API_KEY', async () => {
    standIn.failNext({ status: 401, code: 'invalid_api_key' });
    const err = await make().transcribe(FakeSTT.speak('hi')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(STTError);
    expect(err).toMatchObject({ retryable: false, status: 401 });
    expect((err as Error).message).toMatch(/check OPENAI_API_KEY/);
  });

  it('maps 429 to a retryable error that says to retry later', async () => {
    standIn.failNext({ status: 429, code: 'rate_limit_exceeded' });
    const err = await make().transcribe(FakeSTT.speak('hi')).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'STTError', retryable: true, status: 429 });
    expect((err as Error).message).toMatch(/retry later/);
  });

  it('maps an exhausted quota (429 insufficient_quota) to a non-retryable error', async () => {
    standIn.failNext({ status: 429, code: 'insufficient_quota' });
    const err = await make().transcribe(FakeSTT.speak('hi')).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, status: 429 });
    expect((err as Error).message).toMatch(/quota/);
  });

  it('lets the SDK retry a 429 by itself when retries are allowed', async () => {
    standIn.failNext({ status: 429, code: 'rate_limit_exceeded' });
    const result = await make({ maxRetries: 1 }).transcribe(FakeSTT.speak('second time lucky'));
    expect(result.text).toBe('second time lucky');
    expect(standIn.requests).toHaveLength(2);
  });

  it('maps server errors and an unreachable server to retryable errors', async () => {
    standIn.failNext({ status: 503, code: 'overloaded' });
    await expect(make().transcribe(FakeSTT.speak('hi'))).rejects.toMatchObject({ retryable: true, status: 503 });
    const down = new OpenAISTT({ apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 });
    await expect(down.transcribe(FakeSTT.speak('hi'))).rejects.toMatchObject({ retryable: true, message: expect.stringMatching(/Could not reach/) });
  });

  it('never logs the transcript', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m));
    await make().transcribe(FakeSTT.speak('my secret diary entry'));
    standIn.failNext({ status: 400, code: 'invalid_value' });
    await make().transcribe(FakeSTT.speak('my secret diary entry')).catch(() => {});
    for (const spy of spies) expect(JSON.stringify(spy.mock.calls)).not.toMatch(/secret diary/);
  });
});
