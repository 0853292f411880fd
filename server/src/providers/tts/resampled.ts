import type { SynthesizeOptions, TextToSpeech, TtsCapabilities } from './port.js';
import { createResampler } from './port.js';

/**
 * Any provider at another sample rate, e.g. 48 kHz for WebRTC or 16 kHz to match a fallback.
 * Linear interpolation (see {@link createResampler}); a provider asked for the right rate at
 * the source (ElevenLabs `sampleRate`, LocalTTS `sampleRate`) needs no wrapper.
 *
 * @example
 * ```ts
 * const tts = new ResampledTTS(new LocalTTS(), 48_000);
 * ```
 */
export class ResampledTTS implements TextToSpeech {
  readonly id: string;
  readonly capabilities: TtsCapabilities;

  constructor(
    private readonly inner: TextToSpeech,
    sampleRate: number,
  ) {
    this.id = inner.id;
    this.capabilities = { ...inner.capabilities, sampleRate };
  }

  async *synthesize(text: string, options?: SynthesizeOptions): AsyncGenerator<Int16Array> {
    const convert = createResampler(this.inner.capabilities.sampleRate, this.capabilities.sampleRate);
    for await (const pcm of this.inner.synthesize(text, options)) {
      const out = convert(pcm);
      if (out.length > 0) yield out;
    }
  }
}
