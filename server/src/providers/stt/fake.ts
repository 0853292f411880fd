import { SAMPLE_RATE, abortError, raceAbort } from './port.js';
import type { SpeechToText, STTCapabilities, TranscribeOptions, Transcript } from './port.js';

const MAGIC = [0x5341, 0x5953]; // "SAYS", as two samples no recording starts with

/**
 * A speech-to-text for tests, as agents-js `FakeSTT`: audio made by {@link FakeSTT.speak} is
 * "recognised" as the text written into it; other audio gets the next scripted reply (or '').
 *
 * @example
 * ```ts
 * const stt = new FakeSTT();
 * await stt.transcribe(FakeSTT.speak('call the dentist')); // { text: 'call the dentist', engine: 'fake' }
 * ```
 */
export class FakeSTT implements SpeechToText {
  readonly id: string;
  readonly capabilities: STTCapabilities = { streaming: false, interimResults: false, local: true };
  /** What each call was given, for assertions. */
  readonly calls: Array<{ samples: number; options: TranscribeOptions }> = [];
  /** How long each call takes, in ms (tests of aborts and timeouts change it). */
  delayMs: number;
  private readonly script: string[];

  /** `script`: replies in order for audio without a marker; `delayMs`: time each call takes. */
  constructor(options: { script?: readonly string[]; id?: string; delayMs?: number } = {}) {
    this.script = [...(options.script ?? [])];
    this.id = options.id ?? 'fake';
    this.delayMs = options.delayMs ?? 0;
  }

  /** Half a second (or more) of "audio" that FakeSTT hears as `text`. */
  static speak(text: string): Int16Array {
    const codes = [...MAGIC, text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
    const pcm = new Int16Array(Math.max(codes.length, SAMPLE_RATE / 2));
    pcm.set(codes);
    return pcm;
  }

  /** The text written by {@link FakeSTT.speak}, if this audio came from it. */
  static heard(audio: Int16Array): string | undefined {
    if (audio[0] !== MAGIC[0] || audio[1] !== MAGIC[1]) return undefined;
    const length = (audio[2] ?? 0) & 0xffff;
    return String.fromCharCode(...Array.from(audio.subarray(3, 3 + length), (x) => x & 0xffff));
  }

  async transcribe(audio: Int16Array, options: TranscribeOptions = {}): Promise<Transcript> {
    if (options.signal?.aborted) throw abortError(options.signal);
    this.calls.push({ samples: audio.length, options });
    const work = new Promise<string>((resolve) => setTimeout(resolve, this.delayMs)).then(() =>
      audio.length < SAMPLE_RATE / 10 ? '' : (FakeSTT.heard(audio) ?? this.script.shift() ?? ''),
    );
    return { text: await raceAbort(work, options.signal), engine: this.id };
  }
}
