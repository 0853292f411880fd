import { ProviderError } from '../provider-error.js';

/**
 * The text-to-speech port: text in, 16-bit mono PCM out, chunk by chunk as it is produced.
 *
 * Replies are streamed so the person hears the first words while the rest is still being made.
 * Barge-in (the person speaks over the reply) aborts `options.signal`: the provider stops
 * producing at once and the iterator ends quietly (no error); check `signal.aborted` if you need
 * to tell a cut-off reply from a finished one.
 *
 * @example
 * ```ts
 * const barge = new AbortController();
 * for await (const pcm of tts.synthesize('Added: call the dentist tomorrow.', { signal: barge.signal })) {
 *   player.write(pcm); // Int16Array at tts.capabilities.sampleRate
 * }
 * ```
 */
export interface TextToSpeech {
  /** Engine and voice, e.g. `local:flite/rms` or `elevenlabs:eleven_flash_v2_5`; for logs and metrics. */
  readonly id: string;
  readonly capabilities: TtsCapabilities;
  /** Yields chunks of 16-bit mono PCM at `capabilities.sampleRate`; empty text yields nothing. */
  synthesize(text: string, options?: SynthesizeOptions): AsyncIterable<Int16Array>;
}

export interface TtsCapabilities {
  /** True when audio arrives in several chunks before the whole reply is made. */
  streaming: boolean;
  /** True when the text never leaves this machine (replies may quote personal notes). */
  local: boolean;
  /** Samples per second of every chunk. */
  sampleRate: number;
}

export interface SynthesizeOptions {
  /** Provider-specific voice (a flite voice name, an ElevenLabs voice id); default per provider. */
  voice?: string;
  /** Abort to stop production at once (barge-in); the iterator then ends without an error. */
  signal?: AbortSignal;
}

/** A speech failure: see ProviderError. */
export class TtsError extends ProviderError {
  override readonly name = 'TtsError';
}

/**
 * A linear-interpolation resampler that keeps its phase across chunks, so a stream cut into
 * arbitrary chunks resamples exactly like the whole signal would. No low-pass filter: fine for
 * speech going up (16 kHz -> 48 kHz); going down aliases a little above the new Nyquist.
 *
 * @example
 * ```ts
 * const to48k = createResampler(16_000, 48_000);
 * for await (const pcm of tts.synthesize(text)) send(to48k(pcm));
 * ```
 */
export function createResampler(from: number, to: number): (pcm: Int16Array) => Int16Array {
  if (!(from > 0 && to > 0)) throw new RangeError(`Sample rates must be positive (got ${from} -> ${to}).`);
  if (from === to) return (pcm) => pcm;
  const step = from / to; // input samples per output sample
  let made = 0; // output samples so far
  let consumed = 0; // input samples before the current chunk
  let prev: number | undefined; // the previous chunk's last sample, index -1 of this one
  return (pcm) => {
    const out = new Int16Array(Math.ceil((pcm.length + 1) / step) + 1);
    let n = 0;
    // Output k falls at input position k * step; computed afresh (not summed) so chunking cannot drift.
    for (;;) {
      const pos = made * step - consumed;
      const i = Math.floor(pos);
      if (i + 1 >= pcm.length) break; // needs sample i + 1: wait for the next chunk
      const a = i < 0 ? (prev ?? pcm[0]!) : pcm[i]!;
      const b = pcm[i + 1]!;
      out[n++] = Math.round(a + (b - a) * (pos - i));
      made++;
    }
    if (pcm.length > 0) {
      prev = pcm[pcm.length - 1];
      consumed += pcm.length;
    }
    return out.subarray(0, n);
  };
}

/** Resamples one whole signal (see {@link createResampler}). */
export function resample(pcm: Int16Array, from: number, to: number): Int16Array {
  return createResampler(from, to)(pcm);
}
