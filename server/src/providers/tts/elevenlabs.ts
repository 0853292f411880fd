import { ElevenLabsClient, ElevenLabsError, ElevenLabsTimeoutError } from '@elevenlabs/elevenlabs-js';
import type { SynthesizeOptions, TextToSpeech, TtsCapabilities } from './port.js';
import { TtsError } from './port.js';

/** Raw PCM rates ElevenLabs streams (`pcm_<rate>`); 44.1 kHz needs a Pro plan. */
export type ElevenLabsPcmRate = 8000 | 16000 | 22050 | 24000 | 32000 | 44100 | 48000;

export interface ElevenLabsTTSOptions {
  apiKey: string;
  /** Another endpoint (ELEVENLABS_BASE_URL), or a local stand-in in tests. */
  baseUrl?: string;
  /** Default voice (SAYSO_ELEVENLABS_VOICE); `synthesize(text, { voice })` overrides it per call. Default Rachel. */
  voiceId?: string;
  /** Default `eleven_flash_v2_5`, ElevenLabs' lowest-latency model. */
  modelId?: string;
  /** Default 16 kHz, what the rest of the voice pipeline uses. */
  sampleRate?: ElevenLabsPcmRate;
  /**
   * The SDK's own retries with backoff (1 s, 2 s...) on 429 and 5xx. Default 0: in a live reply
   * falling back to the local voice at once beats a second of silence.
   */
  maxRetries?: number;
  /** How long to wait for the response to start, in ms. Default 10 s. */
  timeoutMs?: number;
}

/**
 * ElevenLabs speech over HTTP chunked streaming (`POST /v1/text-to-speech/{voice}/stream`),
 * through the official SDK. PCM chunks are yielded as they arrive. Sends the reply's text to
 * ElevenLabs (`capabilities.local` is false).
 *
 * @example
 * ```ts
 * const tts = new ElevenLabsTTS({ apiKey: process.env.ELEVENLABS_API_KEY! });
 * for await (const pcm of tts.synthesize('Added to your list.', { signal })) play(pcm); // 16 kHz
 * ```
 */
export class ElevenLabsTTS implements TextToSpeech {
  readonly id: string;
  readonly capabilities: TtsCapabilities;
  private readonly client: ElevenLabsClient;
  private readonly voiceId: string;
  private readonly modelId: string;
  private readonly maxRetries: number;
  private readonly timeoutInSeconds: number;

  constructor(options: ElevenLabsTTSOptions) {
    this.voiceId = options.voiceId ?? '21m00Tcm4TlvDq8ikWAM';
    this.modelId = options.modelId ?? 'eleven_flash_v2_5';
    this.maxRetries = options.maxRetries ?? 0;
    this.timeoutInSeconds = (options.timeoutMs ?? 10_000) / 1000;
    this.id = `elevenlabs:${this.modelId}`;
    this.capabilities = { streaming: true, local: false, sampleRate: options.sampleRate ?? 16_000 };
    this.client = new ElevenLabsClient({
      apiKey: options.apiKey,
      ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    });
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}): AsyncGenerator<Int16Array> {
    const { signal } = options;
    if (text.trim() === '' || signal?.aborted) return;
    let reader: ReadableStreamDefaultReader<Uint8Array>;
    try {
      const body = await this.client.textToSpeech.stream(
        options.voice ?? this.voiceId,
        { text, modelId: this.modelId, outputFormat: `pcm_${this.capabilities.sampleRate as ElevenLabsPcmRate}` },
        { maxRetries: this.maxRetries, timeoutInSeconds: this.timeoutInSeconds, ...(signal ? { abortSignal: signal } : {}) },
      );
      reader = body.getReader();
    } catch (err) {
      if (signal?.aborted) return; // barge-in before the first byte
      throw toTtsError(err, this.modelId);
    }
    // fetch does error the body on abort, but only some time later (~100 ms seen): race it.
    let onAbort = () => {};
    const aborted = new Promise<{ done: true; value: undefined }>((resolve) => (onAbort = () => resolve({ done: true, value: undefined })));
    signal?.addEventListener('abort', onAbort, { once: true });
    // HTTP chunks may split a 16-bit sample: carry an odd byte over to the next chunk.
    let carry: number | undefined;
    try {
      for (;;) {
        if (signal?.aborted) return;
        const { done, value } = await Promise.race([reader.read(), aborted]);
        if (done) return;
        const bytes = carry === undefined ? value : prependByte(carry, value);
        const even = bytes.length & ~1;
        carry = even < bytes.length ? bytes[even] : undefined;
        if (even === 0) continue;
        const pcm = new Int16Array(even / 2);
        new Uint8Array(pcm.buffer).set(bytes.subarray(0, even)); // copy: `bytes` may be unaligned
        yield pcm;
      }
    } catch (err) {
      if (signal?.aborted) return;
      throw new TtsError('The ElevenLabs audio stream broke off mid-reply; retry, or fall back to the local voice.', { retryable: true, cause: err });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Also runs when the caller stops early: close the connection rather than download the rest.
      reader.cancel().catch(() => {});
    }
  }
}

function prependByte(byte: number, chunk: Uint8Array): Uint8Array {
  const out = new Uint8Array(chunk.length + 1);
  out[0] = byte;
  out.set(chunk, 1);
  return out;
}

/** Maps SDK errors to messages that say what to do. Never includes the text being spoken. */
export function toTtsError(err: unknown, modelId: string): TtsError {
  if (err instanceof ElevenLabsTimeoutError) {
    return new TtsError('ElevenLabs did not start answering in time: retry later, or fall back to the local voice.', { retryable: true, cause: err });
  }
  if (!(err instanceof ElevenLabsError) || err.statusCode === undefined) {
    return new TtsError('Could not reach ElevenLabs: check the network and ELEVENLABS_BASE_URL, then retry.', { retryable: true, cause: err });
  }
  const status = err.statusCode;
  const ref = err.requestId ? ` (request ${err.requestId})` : '';
  const detail = detailStatus(err.body);
  const code = detail ? `${status} ${detail}` : String(status);
  const fail = (message: string, retryable: boolean) => new TtsError(message + ref, { retryable, status, cause: err });
  if (status === 401 && detail === 'quota_exceeded') {
    return fail(`ElevenLabs quota is used up (${code}): add credits or upgrade the plan for this ELEVENLABS_API_KEY.`, false);
  }
  if (status === 401) return fail(`ElevenLabs rejected the API key (${code}): check ELEVENLABS_API_KEY.`, false);
  if (status === 403) return fail(`ElevenLabs refused this request (${code}): check the API key's permissions (text to speech) and plan.`, false);
  if (status === 404) return fail(`ElevenLabs does not know this voice (${code}): check SAYSO_ELEVENLABS_VOICE.`, false);
  if (status === 400 || status === 422) return fail(`ElevenLabs refused the request (${code}): check the voice and the model ${modelId}.`, false);
  if (status === 429) return fail(`ElevenLabs is busy or the concurrency limit was hit (${code}): retry later, or send fewer replies at once.`, true);
  if (status >= 500) return fail(`ElevenLabs had a server error (${code}): retry later.`, true);
  return fail(`ElevenLabs refused the request (${code}).`, false);
}

/** ElevenLabs errors look like `{ detail: { status: 'invalid_api_key', message } }`. */
function detailStatus(body: unknown): string | undefined {
  const detail = (body as { detail?: { status?: unknown } } | undefined)?.detail;
  return typeof detail?.status === 'string' ? detail.status : undefined;
}
