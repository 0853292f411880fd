import { STTError, abortError } from './port.js';
import type { SpeechToText, STTCapabilities, TranscribeOptions, Transcript } from './port.js';

/**
 * Tries each provider in turn and answers with the first that succeeds; itself a provider, as
 * agents-js `FallbackAdapter extends STT`. `result.engine` names the one that answered.
 * An abort stops the whole call: it is not a failure to fall back from.
 *
 * Not streaming: which provider streams would change mid-utterance on a failure. Stream with a
 * provider directly when `capabilities.interimResults` matters.
 *
 * @example
 * ```ts
 * const stt = new FallbackSTT([new OpenAISTT({ apiKey }), new PocketSphinxSTT()]);
 * const { text, engine } = await stt.transcribe(pcm); // engine 'pocketsphinx:mixed' when OpenAI is down
 * ```
 */
export class FallbackSTT implements SpeechToText {
  /** The first choice's id: what results carry when all is well. */
  readonly id: string;
  readonly capabilities: STTCapabilities;

  constructor(private readonly providers: readonly SpeechToText[]) {
    const first = providers[0];
    if (!first) throw new Error('FallbackSTT needs at least one provider.');
    this.id = first.id;
    // Local only if no choice can send audio away.
    this.capabilities = { streaming: false, interimResults: false, local: providers.every((p) => p.capabilities.local) };
  }

  async transcribe(audio: Int16Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const errors: unknown[] = [];
    for (const provider of this.providers) {
      if (options.signal?.aborted) throw abortError(options.signal);
      try {
        return await provider.transcribe(audio, options);
      } catch (err) {
        if (options.signal?.aborted) throw abortError(options.signal);
        errors.push(err);
      }
    }
    const messages = errors.map((err, i) => `${this.providers[i]?.id}: ${err instanceof Error ? err.message : String(err)}`);
    // Worth retrying if any choice might recover by itself.
    const retryable = errors.some((err) => !(err instanceof STTError) || err.retryable);
    throw new STTError(`Every speech-to-text provider failed. ${messages.join(' | ')}`, { retryable, cause: errors });
  }

  async close(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.close?.()));
  }
}
