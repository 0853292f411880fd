import type { SynthesizeOptions, TextToSpeech, TtsCapabilities } from './port.js';
import { TtsError } from './port.js';

export interface FallbackTTSOptions {
  /**
   * Give up on a provider that has produced no audio after this long, and ask the next one.
   * Default 3 s: ElevenLabs usually starts within 0.2-0.5 s, and a hung request must not leave the
   * person in silence.
   */
  startTimeoutMs?: number;
}

/**
 * Tries providers in order; the first that starts producing audio speaks the whole reply. A
 * provider that fails (or stays silent past `startTimeoutMs`) before its first chunk hands over
 * to the next. Once audio has been yielded there is no switching voices mid-reply: a later
 * failure is thrown to the caller.
 *
 * `options.voice` goes to the first provider only: voice names are provider-specific (an
 * ElevenLabs voice id means nothing to flite), so fallbacks speak with their own default.
 *
 * @example
 * ```ts
 * const tts = new FallbackTTS([new ElevenLabsTTS({ apiKey }), new LocalTTS()]);
 * ```
 */
export class FallbackTTS implements TextToSpeech {
  readonly id: string;
  readonly capabilities: TtsCapabilities;
  private readonly startTimeoutMs: number;

  constructor(
    private readonly providers: readonly TextToSpeech[],
    options: FallbackTTSOptions = {},
  ) {
    const first = providers[0];
    if (!first) throw new Error('FallbackTTS needs at least one provider.');
    const rate = first.capabilities.sampleRate;
    const odd = providers.find((p) => p.capabilities.sampleRate !== rate);
    if (odd) {
      throw new Error(
        `FallbackTTS: ${odd.id} speaks at ${odd.capabilities.sampleRate} Hz, ${first.id} at ${rate} Hz. ` +
          'Create both at the same rate, or wrap one in ResampledTTS.',
      );
    }
    this.id = providers.map((p) => p.id).join('|');
    this.capabilities = {
      streaming: providers.every((p) => p.capabilities.streaming),
      local: providers.every((p) => p.capabilities.local),
      sampleRate: rate,
    };
    this.startTimeoutMs = options.startTimeoutMs ?? 3000;
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}): AsyncGenerator<Int16Array> {
    const { signal } = options;
    const errors: unknown[] = [];
    for (const [index, provider] of this.providers.entries()) {
      if (signal?.aborted) return;
      // Each attempt has its own signal, so a provider that is given up on stops too.
      const attempt = new AbortController();
      const onAbort = () => attempt.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const voice = index === 0 && options.voice !== undefined ? { voice: options.voice } : {};
      const chunks = provider.synthesize(text, { ...voice, signal: attempt.signal })[Symbol.asyncIterator]();
      try {
        let first: IteratorResult<Int16Array>;
        try {
          first = await firstWithin(chunks.next(), this.startTimeoutMs, provider.id);
        } catch (err) {
          if (signal?.aborted) return;
          errors.push(err);
          continue; // nothing was said yet: the next provider can still speak the whole reply
        }
        if (first.done) return;
        yield first.value;
        for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
        return;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        attempt.abort(); // a provider given up on, or left early, stops producing
        chunks.return?.().catch(() => {});
      }
    }
    const messages = errors.map((err, i) => `${this.providers[i]?.id}: ${err instanceof Error ? err.message : String(err)}`);
    // Worth retrying if any provider might recover by itself.
    const retryable = errors.some((err) => !(err instanceof TtsError) || err.retryable);
    throw new TtsError(`Every text-to-speech provider failed. ${messages.join(' | ')}`, { retryable, cause: errors });
  }
}

function firstWithin<T>(first: Promise<T>, ms: number, id: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TtsError(`${id} produced no audio within ${ms} ms.`, { retryable: true })), ms);
  });
  first.catch(() => {}); // if the timeout wins, a later rejection is expected and not an error
  return Promise.race([first, timeout]).finally(() => clearTimeout(timer));
}
