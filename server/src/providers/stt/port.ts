import { ProviderError } from '../provider-error.js';

/**
 * The speech-to-text port: one utterance of 16 kHz mono signed 16-bit PCM in, its text out.
 *
 * Audio everywhere in the pipeline is {@link SAMPLE_RATE} Hz mono `Int16Array` (use
 * `pcmFromBuffer` from `./wav.js` for a Buffer). A provider says what it can do in
 * `capabilities`, as livekit agents-js `STTCapabilities` does, so the pipeline asks rather than
 * checks vendor names.
 *
 * @example
 * ```ts
 * const { text, engine } = await stt.transcribe(pcm, { hints: ['Dentist', 'Morning run'], signal });
 * if (stt.capabilities.interimResults) {
 *   const s = stt.stream!();
 *   s.onInterim((partial) => publish({ type: 'voice_transcript', text: partial, final: false }));
 *   for await (const frame of frames) s.push(frame);
 *   const final = await s.end();
 * }
 * ```
 */
export interface SpeechToText {
  /** Engine and model used when this provider answers itself, e.g. `openai:whisper-1`. */
  readonly id: string;
  readonly capabilities: STTCapabilities;
  /** Transcribes one whole utterance. Empty or too-short audio gives `text: ''`, never an error. */
  transcribe(audio: Int16Array, options?: TranscribeOptions): Promise<Transcript>;
  /** Present only when `capabilities.streaming`: audio in as it arrives, interim text out. */
  stream?(options?: TranscribeOptions): TranscriptStream;
  /** Stops background processes; the provider may start them again on the next call. */
  close?(): Promise<void>;
}

export interface STTCapabilities {
  /** `stream()` exists: audio can be pushed while the person speaks. */
  streaming: boolean;
  /** `stream()` reports partial text before `end()`. */
  interimResults: boolean;
  /** Audio never leaves this machine (speech is personal). */
  local: boolean;
}

export interface TranscribeOptions {
  /** ISO 639-1 language of the speech (`en`); a region (`en-GB`) is ignored where unsupported. */
  language?: string;
  /** Words and phrases likely to be said: the person's task titles, habit names. */
  hints?: readonly string[];
  /** Aborting rejects the call with an `AbortError` (see {@link abortError}). */
  signal?: AbortSignal;
}

export interface Transcript {
  /** Lower or mixed case depending on the engine; '' when nothing was recognised. */
  text: string;
  /** 0..1 where the engine gives one (its own scale: compare within one engine only). */
  confidence?: number;
  /** The engine that actually produced `text` (a fallback may answer with its second choice). */
  engine: string;
}

export interface TranscriptStream {
  /** Appends audio (16 kHz mono PCM16). Cheap: decoding happens in the background. */
  push(pcm: Int16Array): void;
  /** Called with the whole partial text each time it changes. */
  onInterim(callback: (text: string) => void): void;
  /** No more audio: resolves with the final transcript. */
  end(): Promise<Transcript>;
}

/** The sample rate of all audio given to and taken from providers. */
export const SAMPLE_RATE = 16_000;

/** A transcription failure: see ProviderError. */
export class STTError extends ProviderError {
  override readonly name = 'STTError';
}

/** The error an aborted call rejects with: the signal's own reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('The transcription was aborted.', 'AbortError');
}

/** Settles like `work`, or rejects with an `AbortError` as soon as `signal` aborts. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
