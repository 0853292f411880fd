import { setTimeout as sleep } from 'node:timers/promises';
import type { SynthesizeOptions, TextToSpeech, TtsCapabilities } from './port.js';

export interface FakeTTSOptions {
  id?: string;
  /** Default 16 kHz. */
  sampleRate?: number;
  /** Audio per word of text. Default 250 ms. */
  msPerWord?: number;
  /** Audio per chunk. Default 100 ms. */
  chunkMs?: number;
  /** Wall time before each chunk, as if synthesising. Default 0 (as fast as possible). */
  delayMs?: number;
  /** Tone frequency; 0 gives silence. Default 440 Hz. */
  toneHz?: number;
  local?: boolean;
  /** Throw `error` after yielding `afterChunks` chunks (0: before any audio), to test fallbacks. */
  fail?: { afterChunks: number; error: Error };
}

/**
 * A tone (or silence) as long as the text would take to say: for tests of the voice pipeline
 * that need no real engine. Records every text it was asked to say in `texts`.
 *
 * @example
 * ```ts
 * const tts = new FakeTTS({ delayMs: 20 }); // 100 ms chunks every 20 ms
 * ```
 */
export class FakeTTS implements TextToSpeech {
  readonly id: string;
  readonly capabilities: TtsCapabilities;
  readonly texts: string[] = [];

  constructor(private readonly options: FakeTTSOptions = {}) {
    this.id = options.id ?? 'fake:tone';
    this.capabilities = { streaming: true, local: options.local ?? true, sampleRate: options.sampleRate ?? 16_000 };
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}): AsyncGenerator<Int16Array> {
    const { signal } = options;
    this.texts.push(text);
    const { msPerWord = 250, chunkMs = 100, delayMs = 0, toneHz = 440, fail } = this.options;
    const rate = this.capabilities.sampleRate;
    const words = text.split(/\s+/).filter(Boolean).length;
    let remaining = Math.round((words * msPerWord * rate) / 1000);
    const perChunk = Math.max(1, Math.round((chunkMs * rate) / 1000));
    let sample = 0;
    let chunks = 0;
    while (remaining > 0) {
      if (fail && chunks === fail.afterChunks) throw fail.error;
      if (delayMs > 0) await sleep(delayMs, undefined, signal ? { signal } : {}).catch(() => {});
      if (signal?.aborted) return;
      const pcm = new Int16Array(Math.min(perChunk, remaining));
      for (let i = 0; i < pcm.length; i++, sample++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * toneHz * sample) / rate));
      remaining -= pcm.length;
      chunks++;
      yield pcm;
    }
    if (fail && chunks === fail.afterChunks) throw fail.error;
  }
}
