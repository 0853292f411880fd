/**
 * Local speech recognition with CMU pocketsphinx (Debian `python3-pocketsphinx`,
 * `pocketsphinx-en-us`): audio never leaves the machine and no network is needed.
 *
 * One decoder stays warm in a Python worker (pocketsphinx-worker.py): loading takes ~1 s, a
 * decode of a 3 s command ~0.35-0.45 s on a 2-core machine. Calls take turns through it; a
 * hung decode kills the worker and the next call starts a fresh one.
 *
 * Which language model decodes is the main accuracy lever (WER in README.md, from
 * `npx tsx bench/stt-wer.ts`): `mixed` interpolates a small trigram model of Sayso commands with
 * the general en-us model, so commands gain and journal dictation still works.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandArpa, normaliseHints, rulesWithHints, toJsgf } from './language-model.js';
import { PocketSphinxProcess, type Send, type WorkerReply } from './pocketsphinx-process.js';
import { SAMPLE_RATE, abortError, raceAbort } from './port.js';
import type { SpeechToText, STTCapabilities, TranscribeOptions, Transcript, TranscriptStream } from './port.js';
import { pronounce } from './pronounce.js';
import { pcmToBuffer } from './wav.js';

/**
 * - `mixed`: command model interpolated with the general model (default: best overall).
 * - `general`: pocketsphinx's en-us model alone.
 * - `commands`: the small command model alone (free dictation suffers).
 * - `grammar`: the command JSGF grammar: fast, but anything else comes out as a command.
 */
export type LocalLanguageModel = 'mixed' | 'general' | 'commands' | 'grammar';

export interface PocketSphinxOptions {
  languageModel?: LocalLanguageModel;
  /** Weight of the command model in `mixed`, 0..1, in probability terms. Default 0.5. */
  commandWeight?: number;
  /**
   * `fast` (default) prunes the search harder (at most 5,000 HMMs per frame, phone lookahead
   * window 5): ~40% less decode time for ~1 point more WER. `accurate`: pocketsphinx defaults.
   */
  search?: 'fast' | 'accurate';
  /** Python that can `import pocketsphinx`. Default /usr/bin/python3 (Debian's, where apt puts it). */
  python?: string;
  /** Default /usr/share/pocketsphinx/model/en-us. */
  modelDir?: string;
  /** Longest decode before the worker counts as hung: default 15 s + 2 x the audio. */
  decodeTimeoutMs?: number;
  /** Default 30 s (a loaded machine is slow to page in the 27 MB model). */
  startTimeoutMs?: number;
  /** Distinct hint lists kept loaded at once (each is a small model). Default 8. */
  maxHintSets?: number;
  /** Least time between interim decodes of a stream. Default 300 ms. */
  interimIntervalMs?: number;
  /** A stream with no push or end for this long is ended, so it cannot hold the decoder. Default 10 s. */
  streamIdleMs?: number;
}

/** Shorter than 0.1 s is not a word; the engine would only guess. */
const MIN_SAMPLES = SAMPLE_RATE / 10;

/**
 * @example
 * ```ts
 * const stt = new PocketSphinxSTT(); // languageModel 'mixed', search 'fast'
 * await stt.warmUp(); // at gateway start, so the first person does not wait for the load
 * const { text, confidence } = await stt.transcribe(pcm, { hints: ['Duolingo', 'Water the ficus'] });
 * await stt.close(); // at shutdown
 * ```
 */
export class PocketSphinxSTT implements SpeechToText {
  readonly id: string;
  readonly capabilities: STTCapabilities = { streaming: true, interimResults: true, local: true };
  private readonly model: LocalLanguageModel;
  private readonly process: PocketSphinxProcess;
  private dir: Promise<string> | undefined;
  /** Searches loaded in the current worker; hint searches in least-recently-used order. */
  private loaded = new Set<string>();
  private hintSlots = new Map<string, string>();

  constructor(private readonly options: PocketSphinxOptions = {}) {
    this.model = options.languageModel ?? 'mixed';
    this.id = `pocketsphinx:${this.model}`;
    this.process = new PocketSphinxProcess({
      python: options.python ?? '/usr/bin/python3',
      modelDir: options.modelDir ?? '/usr/share/pocketsphinx/model/en-us',
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      flags: options.search === 'accurate' ? {} : { '-maxhmmpf': 5000, '-pl_window': 5 },
      onStart: async () => {
        this.loaded = new Set(['general']); // a fresh worker knows only its built-in model
        this.hintSlots.clear();
      },
    });
  }

  /** Starts the worker and loads the language model now, so the first utterance is fast. */
  warmUp(): Promise<void> {
    return this.process.exclusive(async (send) => void (await this.searchFor(send, [])));
  }

  /** How many workers were started (1 unless one died or hung), and the current one's pid. */
  get worker(): { starts: number; pid: number | undefined } {
    return { starts: this.process.starts, pid: this.process.pid };
  }

  async transcribe(audio: Int16Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const { signal } = options;
    if (signal?.aborted) throw abortError(signal);
    if (audio.length < MIN_SAMPLES) return { text: '', engine: this.id };
    const work = this.process.exclusive(
      async (send) => {
        const search = await this.searchFor(send, options.hints ?? []);
        const audioB64 = pcmToBuffer(audio).toString('base64');
        return this.transcript(await send({ op: 'decode', search, audio: audioB64 }, this.timeout(audio.length)));
      },
      () => {
        if (signal?.aborted) throw abortError(signal); // skip the turn of a call nobody awaits
      },
    );
    return raceAbort(work, signal);
  }

  /**
   * Decodes while audio arrives, reporting partial text; holds the one decoder until `end()`
   * (or `streamIdleMs` without audio), so other calls wait meanwhile.
   */
  stream(options: TranscribeOptions = {}): TranscriptStream {
    const { signal } = options;
    const chunks: Int16Array[] = [];
    let ended = false;
    let onInterim: ((text: string) => void) | undefined;
    // The session sleeps between decodes: new audio wakes it only when it waits for audio,
    // while end() and abort always wake it (finishing must not wait out the interval).
    let waiting: { forAudio: boolean; wake: () => void } | undefined;
    const wait = (ms: number, forAudio: boolean) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        waiting = { forAudio, wake: () => (clearTimeout(timer), resolve(true)) };
      }).finally(() => (waiting = undefined));
    const wake = (always: boolean) => (always || waiting?.forAudio ? waiting?.wake() : undefined);
    signal?.addEventListener('abort', () => wake(true), { once: true });
    const interval = this.options.interimIntervalMs ?? 300;
    const idle = this.options.streamIdleMs ?? 10_000;

    const session = this.process.exclusive(async (send) => {
      await send({ op: 'begin', search: await this.searchFor(send, options.hints ?? []) });
      let last = '';
      let samples = 0;
      while (!signal?.aborted) {
        if (chunks.length > 0) {
          const audio = concat(chunks.splice(0));
          samples += audio.length;
          const partial = (await send({ op: 'feed', audio: pcmToBuffer(audio).toString('base64') }, this.timeout(audio.length))).text ?? '';
          if (partial !== last) onInterim?.((last = partial));
          if (!ended) await wait(interval, false); // let audio gather: one decode per interval, not per frame
          continue;
        }
        if (ended) break;
        if (!(await wait(idle, true))) break; // abandoned: free the decoder
      }
      // Always close the utterance, even when aborted, so the worker is ready for the next call.
      const final = await send({ op: 'finish' }, this.timeout(samples));
      if (signal?.aborted) throw abortError(signal);
      return samples < MIN_SAMPLES ? { text: '', engine: this.id } : this.transcript(final);
    });
    session.catch(() => {}); // reported by end(); a stream nobody ends must not crash the process

    return {
      push: (pcm) => {
        if (ended) throw new Error('push() after end(): start a new stream for the next utterance.');
        if (pcm.length > 0) chunks.push(pcm.slice()), wake(false);
      },
      onInterim: (callback) => void (onInterim = callback),
      end: () => {
        ended = true;
        wake(true);
        return raceAbort(session, signal);
      },
    };
  }

  async close(): Promise<void> {
    await this.process.close();
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  private transcript(reply: WorkerReply): Transcript {
    const text = reply.text ?? '';
    return text ? { text, confidence: reply.confidence ?? 0, engine: this.id } : { text: '', engine: this.id };
  }

  private timeout(samples: number): number {
    return this.options.decodeTimeoutMs ?? 15_000 + (2000 * samples) / SAMPLE_RATE;
  }

  /** The worker's search for this model and these hints, loading it on first use. */
  private async searchFor(send: Send, hints: readonly string[]): Promise<string> {
    if (this.model === 'general') return 'general'; // hints need a model we build
    const phrases = normaliseHints(hints);
    if (phrases.length === 0) {
      if (!this.loaded.has(this.model)) await this.load(send, this.model, []);
      return this.model;
    }
    const key = createHash('sha1').update(phrases.join('\n')).digest('hex').slice(0, 12);
    let slot = this.hintSlots.get(key);
    if (slot) {
      this.hintSlots.delete(key); // most recently used goes last
    } else {
      // Reuse the least recently used slot: loading under its name frees the old model.
      const max = this.options.maxHintSets ?? 8;
      const oldest = this.hintSlots.size >= max ? this.hintSlots.keys().next().value : undefined;
      slot = oldest !== undefined ? this.hintSlots.get(oldest)! : `${this.model}-hints-${this.hintSlots.size}`;
      if (oldest !== undefined) this.hintSlots.delete(oldest);
      await this.load(send, slot, await this.knownPhrases(send, phrases));
    }
    this.hintSlots.set(key, slot);
    return slot;
  }

  /** Hint phrases whose words the decoder can say, teaching it missing words via flite's t2p. */
  private async knownPhrases(send: Send, phrases: string[]): Promise<string[]> {
    const words = [...new Set(phrases.flatMap((p) => p.split(' ')))];
    const missing = (await send({ op: 'missing', words })).missing ?? [];
    if (missing.length === 0) return phrases;
    const learned = await pronounce(missing.slice(0, 50));
    if (learned.length > 0) await send({ op: 'words', words: learned });
    const unknown = new Set(missing.filter((w) => !learned.some(([l]) => l === w)));
    return phrases.filter((p) => !p.split(' ').some((w) => unknown.has(w)));
  }

  private async load(send: Send, name: string, phrases: string[]): Promise<void> {
    const dir = await (this.dir ??= mkdtemp(join(tmpdir(), 'sayso-stt-')));
    const path = join(dir, `${name}.${this.model === 'grammar' ? 'gram' : 'arpa'}`);
    if (this.model === 'grammar') {
      await writeFile(path, toJsgf(rulesWithHints(phrases)));
      await send({ op: 'jsgf', name, path });
    } else {
      await writeFile(path, commandArpa(phrases));
      const mix = this.model === 'mixed' ? (this.options.commandWeight ?? 0.5) : null;
      await send({ op: 'lm', name, path, mix });
    }
    this.loaded.add(name);
  }
}

function concat(parts: Int16Array[]): Int16Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.length);
  return out;
}

