import { VAD_FRAME_SAMPLES, type Vad } from './vad.js';

const FRAME_MS = 20;
/** A voiced frame this far below the running speech level (-20 dB) counts as silence. */
const QUIET = 0.1;
/** Frames kept after the last loud one: the decay of the last sound. */
const TAIL_FRAMES = 3;

export interface TurnDetectorOptions {
  /** Speech must add up to this much (gaps under `maxGapMs` allowed) before a turn starts: noise gives short bursts. */
  minSpeechMs: number;
  maxGapMs: number;
  /** Silence this long ends a hands-free turn. fvad itself already holds over ~120 ms. */
  hangoverMs: number;
  /** Audio kept from before the detected start, so the first word is not clipped. */
  prerollMs: number;
  maxSegmentMs: number;
}

export const DEFAULT_TURN_OPTIONS: TurnDetectorOptions = { minSpeechMs: 200, maxGapMs: 100, hangoverMs: 600, prerollMs: 300, maxSegmentMs: 30_000 };

export interface TurnStart {
  /** Epoch ms of the first speech frame (VAD) or of the press (ptt). */
  speechStartedAt: number;
  source: 'vad' | 'ptt';
}

export interface TurnEnd {
  pcm: Int16Array;
  speechStartedAt: number;
  /** Epoch ms of the end of speech (VAD: last loud frame; ptt: the release). */
  endedAt: number;
  detectedAt: number;
  reason: 'silence' | 'ptt' | 'max-length';
}

interface Frame {
  pcm: Int16Array;
  /** Epoch ms at which the frame's last sample was captured (estimated from arrival). */
  t: number;
  voiced: boolean;
  rms: number;
}

/**
 * Finds turns in a 16 kHz mono stream. Hands-free: the VAD decides start and end. Push-to-talk:
 * `pressPtt`/`releasePtt` decide, and the VAD only runs to report barge-in speech (`vadOnly`).
 * Pure apart from the VAD: time comes in with each push, events go out through callbacks.
 */
export class TurnDetector {
  private readonly pending = new Int16Array(VAD_FRAME_SAMPLES);
  private pendingLen = 0;
  private history: Frame[] = []; // recent frames while not capturing (pre-roll and candidate)
  private candidate: { start: number; voiced: number; gap: number } | undefined;
  private capture: { frames: Frame[]; source: 'vad' | 'ptt'; speechStartedAt: number; silenceMs: number; lastLoud: number; level: number } | undefined;
  private pttHeld = false;
  private readonly historyMax: number;

  constructor(
    private readonly vad: Vad,
    private readonly events: { onStart(s: TurnStart): void; onEnd(e: TurnEnd): void; onAudio?(pcm: Int16Array): void },
    /** When false (push-to-talk), speech never starts a turn. */
    public vadStartsTurns = true,
    private readonly opts: TurnDetectorOptions = DEFAULT_TURN_OPTIONS,
  ) {
    this.historyMax = Math.ceil((opts.prerollMs + 1_000) / FRAME_MS);
  }

  get capturing(): boolean {
    return this.capture !== undefined;
  }

  /** Feeds audio that arrived at `now` (its last sample was captured about then). */
  push(pcm: Int16Array, now = Date.now()): void {
    let offset = 0;
    while (offset < pcm.length) {
      const n = Math.min(VAD_FRAME_SAMPLES - this.pendingLen, pcm.length - offset);
      this.pending.set(pcm.subarray(offset, offset + n), this.pendingLen);
      this.pendingLen += n;
      offset += n;
      if (this.pendingLen === VAD_FRAME_SAMPLES) {
        this.pendingLen = 0;
        this.frame(this.pending.slice(), now - ((pcm.length - offset) * 1000) / 16_000);
      }
    }
  }

  pressPtt(now = Date.now()): void {
    this.pttHeld = true;
    if (this.capture) {
      this.capture.source = 'ptt'; // already capturing by VAD: the press takes over its end
      return;
    }
    this.begin('ptt', now, []);
  }

  /** Ends a push-to-talk turn, `endedAt` being the release time. */
  releasePtt(endedAt = Date.now()): void {
    this.pttHeld = false;
    if (this.capture?.source === 'ptt') this.end('ptt', endedAt);
  }

  /** Drops whatever is being captured, without an end event. */
  reset(): void {
    this.capture = undefined;
    this.candidate = undefined;
    this.history = [];
    this.pttHeld = false;
  }

  private frame(pcm: Int16Array, t: number): void {
    const cap = this.capture;
    // Push-to-talk without a press needs no VAD at all.
    if (!cap && !this.vadStartsTurns) return;
    const voiced = this.vad.isSpeech(pcm);
    const f: Frame = { pcm, t, voiced, rms: rms(pcm) };
    if (cap) {
      cap.frames.push(f);
      this.events.onAudio?.(pcm);
      // fvad holds "speech" ~120 ms past the end: a frame far below the speech level is silence too.
      if (voiced) cap.level += (f.rms - cap.level) * 0.05;
      if (voiced && f.rms >= cap.level * QUIET) {
        cap.silenceMs = 0;
        cap.lastLoud = cap.frames.length - 1;
      } else cap.silenceMs += FRAME_MS;
      if (cap.frames.length * FRAME_MS >= this.opts.maxSegmentMs) this.end('max-length', t);
      else if (cap.source === 'vad' && cap.silenceMs >= this.opts.hangoverMs) this.end('silence', t);
      return;
    }
    this.history.push(f);
    if (this.history.length > this.historyMax) {
      this.history.shift();
      if (this.candidate) this.candidate.start--;
    }
    this.detectStart(f);
  }

  private detectStart(f: Frame): void {
    const c = this.candidate;
    if (f.voiced && (!c || c.start < 0)) {
      this.candidate = { start: this.history.length - 1, voiced: 1, gap: 0 };
    } else if (f.voiced && c) {
      c.voiced++;
      c.gap = 0;
    } else if (c && (c.gap += FRAME_MS) > this.opts.maxGapMs) {
      this.candidate = undefined;
    }
    const found = this.candidate;
    if (!found || found.voiced * FRAME_MS < this.opts.minSpeechMs) return;
    const first = this.history[found.start]!;
    const from = Math.max(0, found.start - Math.round(this.opts.prerollMs / FRAME_MS));
    this.begin('vad', first.t - FRAME_MS, this.history.slice(from));
  }

  private begin(source: 'vad' | 'ptt', speechStartedAt: number, frames: Frame[]): void {
    const voiced = frames.filter((f) => f.voiced);
    const level = voiced.reduce((sum, f) => sum + f.rms, 0) / Math.max(1, voiced.length);
    const lastLoud = frames.findLastIndex((f) => f.voiced && f.rms >= level * QUIET);
    this.capture = { frames, source, speechStartedAt, silenceMs: 0, lastLoud, level };
    this.history = [];
    this.candidate = undefined;
    this.events.onStart({ speechStartedAt, source });
    for (const f of frames) this.events.onAudio?.(f.pcm); // pre-roll and the start, so far
  }

  private end(reason: TurnEnd['reason'], at: number): void {
    const cap = this.capture;
    if (!cap) return;
    this.capture = undefined;
    let keep = cap.frames.length;
    let endedAt = at;
    if (cap.source === 'vad') {
      const last = Math.max(0, cap.lastLoud);
      keep = Math.min(cap.frames.length, last + 1 + TAIL_FRAMES);
      endedAt = cap.frames[last]?.t ?? at;
    }
    const pcm = new Int16Array(keep * VAD_FRAME_SAMPLES);
    for (let i = 0; i < keep; i++) pcm.set(cap.frames[i]!.pcm, i * VAD_FRAME_SAMPLES);
    if (reason === 'max-length' && this.pttHeld) this.pttHeld = false; // the press is spent; release is a no-op
    this.events.onEnd({ pcm, speechStartedAt: cap.speechStartedAt, endedAt, detectedAt: Date.now(), reason });
  }
}

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / pcm.length);
}
