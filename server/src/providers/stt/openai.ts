import OpenAI, { toFile } from 'openai';
import { SAMPLE_RATE, STTError, abortError } from './port.js';
import type { SpeechToText, STTCapabilities, TranscribeOptions, Transcript } from './port.js';
import { pcmToWav } from './wav.js';

export interface OpenAISTTOptions {
  apiKey: string;
  /** Any OpenAI-compatible endpoint (a self-hosted Whisper server), or a local stand-in in tests. */
  baseURL?: string;
  /** Default `whisper-1`; e.g. `gpt-4o-transcribe`, `gpt-4o-mini-transcribe`, or a server's own name. */
  model?: string;
  /** The SDK's own retries with backoff on 429, 5xx and timeouts. Default 2. */
  maxRetries?: number;
  /** Per request, in ms. Default 30 s. */
  timeoutMs?: number;
}

/** The API rejects audio under 0.1 s (`audio_too_short`); such audio holds no words anyway. */
const MIN_SAMPLES = SAMPLE_RATE / 10;
/** Whisper reads only the last 224 tokens of a prompt: keep hints well under that. */
const MAX_PROMPT_CHARS = 600;

/**
 * Speech to text through OpenAI's `POST /v1/audio/transcriptions` with the official SDK. Sends
 * the audio (as a 16 kHz mono WAV) to OpenAI or the configured server: `capabilities.local` is
 * false. Hints become the prompt, which steers spelling of names and titles. Transcripts are
 * never logged.
 *
 * @example
 * ```ts
 * const stt = new OpenAISTT({ apiKey: process.env.OPENAI_API_KEY!, model: 'gpt-4o-transcribe' });
 * const { text } = await stt.transcribe(pcm, { language: 'en', hints: ['Dentist'] });
 * ```
 */
export class OpenAISTT implements SpeechToText {
  readonly id: string;
  readonly capabilities: STTCapabilities = { streaming: false, interimResults: false, local: false };
  private readonly client: OpenAI;
  private readonly model: string;

  constructor(options: OpenAISTTOptions) {
    this.model = options.model ?? 'whisper-1';
    this.id = `openai:${this.model}`;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
      maxRetries: options.maxRetries ?? 2,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  async transcribe(audio: Int16Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    if (audio.length < MIN_SAMPLES) return { text: '', engine: this.id };
    const file = await toFile(pcmToWav(audio), 'speech.wav', { type: 'audio/wav' });
    // The API takes ISO 639-1 only: 'en-GB' would be refused.
    const language = options.language?.split(/[-_]/)[0]?.toLowerCase();
    const prompt = options.hints?.join(', ').slice(0, MAX_PROMPT_CHARS);
    try {
      const res = await this.client.audio.transcriptions.create(
        {
          file,
          model: this.model,
          response_format: 'json',
          ...(language ? { language } : {}),
          ...(prompt ? { prompt } : {}),
        },
        signal ? { signal } : {},
      );
      return { text: res.text.trim(), engine: this.id };
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw toSTTError(err, this.model);
    }
  }
}

/** Maps SDK errors to messages that say what to do. Never includes the transcript or audio. */
export function toSTTError(err: unknown, model: string): STTError {
  if (!(err instanceof OpenAI.APIError)) {
    return new STTError('OpenAI transcription failed unexpectedly; retry later.', { retryable: true, cause: err });
  }
  const ref = err.requestID ? ` (request ${err.requestID})` : '';
  const status = err.status;
  const withStatus = (retryable: boolean) => (status === undefined ? { retryable, cause: err } : { retryable, status, cause: err });
  if (err instanceof OpenAI.APIConnectionError) {
    return new STTError(
      `Could not reach the transcription API${err instanceof OpenAI.APIConnectionTimeoutError ? ' in time' : ''}: ` +
        'check the network and the configured base URL, then retry.',
      withStatus(true),
    );
  }
  if (err instanceof OpenAI.AuthenticationError) {
    return new STTError(`OpenAI rejected the API key (401)${ref}: check OPENAI_API_KEY.`, withStatus(false));
  }
  if (err instanceof OpenAI.PermissionDeniedError) {
    return new STTError(`OpenAI denied access to ${model} (403)${ref}: check the key's project and model permissions.`, withStatus(false));
  }
  if (err instanceof OpenAI.RateLimitError) {
    if (err.code === 'insufficient_quota') {
      return new STTError(`OpenAI quota exhausted (429)${ref}: add credit or raise the limit for this OPENAI_API_KEY.`, withStatus(false));
    }
    return new STTError(`OpenAI rate limit reached (429)${ref}: retry later, or send fewer requests.`, withStatus(true));
  }
  if (err instanceof OpenAI.NotFoundError) {
    return new STTError(`The transcription API does not know the model ${model} (404)${ref}: check the model name and base URL.`, withStatus(false));
  }
  if (status !== undefined && status >= 500) {
    return new STTError(`The transcription API had a server error (${status})${ref}: retry later.`, withStatus(true));
  }
  // err.message may quote the request; keep only its code.
  return new STTError(`The transcription API refused the audio (${status ?? 'no status'}, ${err.code ?? err.type ?? 'no code'})${ref}.`, withStatus(false));
}
