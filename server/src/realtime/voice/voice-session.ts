import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { Logger } from '../../log.js';
import {
  VOICE_INPUT_SAMPLE_RATE, VOICE_MAX_BINARY_BYTES, VoiceCloseCode,
  type VoiceClientMessage, type VoiceErrorCode, type VoiceMode, type VoiceServerMessage, type VoiceState, type VoiceTransportKind,
  type VoiceTurnResult,
} from './messages.js';
import { streamReply, type ReplyOutcome } from './reply-stream.js';
import { TurnDetector, type TurnEnd } from './turn-detector.js';
import type { Vad } from './vad.js';
import { BadOfferError, WebRtcIngest, type IngestStats, type RtcOptions } from './webrtc-ingest.js';
import { parseTools, ToolCalls, type ToolAnswer } from './client-tools.js';
import type { ClientToolSpec } from './messages.js';
import type { Limits } from '../../limits/limits.js';
import { VoiceBudget } from '../../limits/voice-budget.js';

export interface VoiceSegment {
  turnId: string;
  /** 16 kHz mono, from ~300 ms before the detected start (or from the ptt press). */
  pcm: Int16Array;
  speechStartedAt: number;
  /** Epoch ms of the end of speech. */
  endedAt: number;
  /** End of speech -> end detected, in ms: mostly the silence hang-over. */
  vadMs: number;
}

/**
 * What the pipeline plugs into the voice transport. Calls are synchronous notifications: start
 * the work and return; answer through the session (`sendTranscript`, `sendResult`, `playReply`).
 */
export interface VoiceHandlers {
  onSegment(session: VoiceSession, segment: VoiceSegment): void;
  /** A typed turn. */
  onText(session: VoiceSession, text: { turnId: string; text: string; endedAt: number }): void;
  /** The person cancelled the turn in flight: stop working on it. */
  onCancel?(session: VoiceSession, turnId: string): void;
  /** A turn started capturing; its audio follows in `onSpeechAudio` (for streaming recognition). */
  onSpeechStart?(session: VoiceSession, turnId: string): void;
  /** Audio of the turn being captured, as it arrives (pre-roll first). `onSegment` still follows. */
  onSpeechAudio?(session: VoiceSession, turnId: string, pcm: Int16Array): void;
}

export interface VoiceSessionDeps {
  vad: Vad;
  handlers: VoiceHandlers;
  log: Logger;
  rtc: RtcOptions;
  helloTimeoutMs?: number;
  /** Messages per socket and audio per person (SAYSO_LIMIT_*); unlimited when absent. */
  limits?: Limits;
  /** Checks a renewed session token (`auth`): the new expiry, or why it was refused. */
  renewAuth?: (token: unknown) => Promise<{ expiresAt: Date } | string>;
}

/** Audio that keeps arriving for this long after a ptt release still belongs to the turn (transport lag). */
const PTT_TAIL_MS = 100;
/** A push-to-talk tap shorter than this is no turn (e.g. a tap to stop the reply). */
const MIN_SEGMENT_SAMPLES = VOICE_INPUT_SAMPLE_RATE / 10;
const MAX_TEXT_CHARS = 2_000;

/** One voice socket: turn-taking over the mic audio, and the reply played back. */
export class VoiceSession {
  readonly id = randomUUID();
  mode: VoiceMode = 'hands-free';
  transport: VoiceTransportKind = 'websocket';
  /** The page's client tools (see `ClientToolSpec`). */
  tools: ClientToolSpec[] = [];
  /** False when the page asked for text results only (no reply audio). */
  speak = true;
  private readonly toolCalls = new ToolCalls((m) => this.send(m));
  private current: VoiceState = 'idle';
  private readonly detector: TurnDetector;
  private ingest: WebRtcIngest | undefined;
  private replyRate: number | undefined;
  private listeningTurn: string | undefined;
  private thinkingTurn: string | undefined;
  private reply: { turnId: string; controller: AbortController } | undefined;
  private pttTimer: { timer: NodeJS.Timeout; at: number } | undefined;
  private offers: Promise<void> = Promise.resolve();
  private readonly helloTimer: NodeJS.Timeout;
  private greeted = false;
  private closed = false;
  private readonly budget: VoiceBudget | undefined;

  constructor(readonly userId: string, private readonly ws: WebSocket, private readonly deps: VoiceSessionDeps) {
    this.detector = new TurnDetector(deps.vad, {
      onStart: () => this.speechStarted(),
      onEnd: (e) => this.speechEnded(e),
      onAudio: (pcm) => {
        const turnId = this.listeningTurn;
        if (turnId && this.deps.handlers.onSpeechAudio) this.call(() => this.deps.handlers.onSpeechAudio!(this, turnId, pcm));
      },
    });
    this.budget = deps.limits && new VoiceBudget(userId, deps.limits, (message) => this.error('rate_limited', message));
    this.helloTimer = setTimeout(() => this.close(VoiceCloseCode.noHello, 'send {"type":"hello",...} first'), deps.helloTimeoutMs ?? 10_000);
  }

  get state(): VoiceState {
    return this.current;
  }

  /** Packet counts of the WebRTC mic (zero on the WebSocket transport). */
  get ingestStats(): IngestStats {
    return this.ingest?.stats ?? { packets: 0, lost: 0, decodeErrors: 0 };
  }

  /** Announces a state. While the person is being listened to, only `listening` is announced. */
  setState(state: VoiceState, turnId?: string): void {
    if (this.closed || (this.detector.capturing && state !== 'listening')) return;
    if (state === this.current && turnId === undefined) return;
    this.current = state;
    this.send({ type: 'state', state, ...(turnId !== undefined ? { turnId } : {}) });
  }

  sendTranscript(turnId: string, text: string, final: boolean): void {
    this.send({ type: 'transcript', turnId, text, final });
  }

  sendResult(turnId: string, result: VoiceTurnResult): void {
    this.send({ type: 'result', turnId, result });
  }

  /** Runs one of the page's client tools for a turn. Never rejects: a failure is `{ error }`. */
  callTool(turnId: string, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
    if (this.closed) return Promise.resolve({ error: 'The page closed the session.' });
    if (!this.tools.some((t) => t.name === name)) return Promise.resolve({ error: `The page has no tool "${name}".` });
    return this.toolCalls.call(turnId, name, args);
  }

  /**
   * Plays a reply: resamples to the rate the client asked for, paces it, and resolves once the
   * page has played it, or at once when interrupted (barge-in, `cancel`, `signal`, a newer reply,
   * the socket closing). A reply that arrives while the person is speaking is not played.
   *
   * @example
   * const { firstByteMs, interrupted } = await session.playReply(turnId, tts.stream(text), 24_000, abort.signal);
   */
  async playReply(turnId: string, audio: AsyncIterable<Int16Array>, sampleRate: number, signal?: AbortSignal): Promise<ReplyOutcome> {
    const startedAt = Date.now();
    if (this.closed || this.detector.capturing || signal?.aborted) {
      void Promise.resolve(audio[Symbol.asyncIterator]().return?.()).catch(() => {});
      return { firstByteMs: null, interrupted: true };
    }
    this.interruptReply();
    const reply = { turnId, controller: new AbortController() };
    this.reply = reply;
    const forward = () => reply.controller.abort();
    signal?.addEventListener('abort', forward, { once: true });
    const outRate = this.replyRate ?? sampleRate;
    if (this.thinkingTurn === turnId) this.thinkingTurn = undefined;
    this.send({ type: 'reply-start', turnId, sampleRate: outRate });
    this.setState('speaking', turnId);
    let outcome: ReplyOutcome = { firstByteMs: null, interrupted: true };
    try {
      outcome = await streamReply({ audio, inRate: sampleRate, outRate, signal: reply.controller.signal, startedAt, send: (pcm) => this.sendPcm(pcm) });
      return outcome;
    } finally {
      signal?.removeEventListener('abort', forward);
      if (this.reply === reply) {
        this.reply = undefined;
        this.send({ type: 'reply-end', turnId, interrupted: outcome.interrupted });
        this.setState('idle');
      }
    }
  }

  /** Frees everything; safe to call more than once. */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.interruptReply();
    this.closed = true;
    this.toolCalls.close();
    clearTimeout(this.helloTimer);
    clearTimeout(this.pttTimer?.timer);
    this.detector.reset();
    this.deps.vad.free();
    void this.ingest?.close();
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
  }

  /** Entry for every frame from the socket. */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.receiveAudio(data);
    if (this.budget && !this.budget.message()) return;
    let msg: VoiceClientMessage;
    try {
      msg = JSON.parse(data.toString()) as VoiceClientMessage;
      if (typeof msg !== 'object' || msg === null || typeof msg.type !== 'string') throw new Error('no type');
    } catch {
      return this.error('bad_message', 'Send JSON text frames like {"type":"hello","mode":"hands-free","transport":"websocket"}.');
    }
    if (msg.type !== 'hello' && !this.greeted) return this.error('not_ready', `Send {"type":"hello",...} before "${msg.type.slice(0, 40)}".`);
    switch (msg.type) {
      case 'hello': return this.hello(msg);
      case 'offer': return void (this.offers = this.offers.then(() => this.offer(msg.sdp)));
      case 'ptt':
        if (typeof msg.pressed !== 'boolean') return this.error('bad_message', 'ptt needs "pressed": true or false.');
        return msg.pressed ? this.pressPtt() : this.releasePtt();
      case 'mode':
        if (!isMode(msg.mode)) return this.error('bad_message', 'mode must be "push-to-talk" or "hands-free".');
        return this.setMode(msg.mode);
      case 'text':
        if (typeof msg.text !== 'string' || !msg.text.trim() || msg.text.length > MAX_TEXT_CHARS) return this.error('bad_message', `text needs "text": a non-empty string of at most ${MAX_TEXT_CHARS} characters.`);
        return this.typed(msg.text.trim());
      case 'cancel': return this.cancel();
      case 'tools': return this.setTools(msg.tools);
      case 'tool-result': {
        const wrong = this.toolCalls.answer(msg);
        return wrong ? this.error('bad_message', wrong) : undefined;
      }
      case 'speak':
        if (typeof msg.speak !== 'boolean') return this.error('bad_message', 'speak needs "speak": true or false.');
        return void (this.speak = msg.speak);
      case 'auth':
        if (!this.deps.renewAuth) return this.error('unauthorized', 'This gateway does not renew sessions on an open socket; open a new one.');
        return void this.deps.renewAuth(msg.token).then((r) => {
          if (this.closed) return;
          if (typeof r === 'string') this.error('unauthorized', r);
          else this.send({ type: 'authed', expiresAt: r.expiresAt.toISOString() });
        });
      default: return this.error('bad_message', `Unknown message type "${String((msg as { type: string }).type).slice(0, 40)}": use hello, offer, ptt, mode, text, cancel, tools, tool-result, speak or auth.`);
    }
  }

  private hello(msg: Extract<VoiceClientMessage, { type: 'hello' }>): void {
    if (this.greeted) return this.error('bad_message', 'hello was already received; send {"type":"mode"} to change mode, or open a new socket.');
    const { mode, transport, sampleRate } = msg;
    if (!isMode(mode) || (transport !== 'webrtc' && transport !== 'websocket')) {
      return this.error('bad_message', 'hello needs "mode" ("push-to-talk" | "hands-free") and "transport" ("webrtc" | "websocket").');
    }
    if (sampleRate !== undefined && !(Number.isInteger(sampleRate) && sampleRate >= 8_000 && sampleRate <= 48_000)) {
      return this.error('bad_message', 'hello "sampleRate" (the reply rate you want) must be an integer from 8000 to 48000, or left out.');
    }
    if (msg.speak !== undefined && typeof msg.speak !== 'boolean') return this.error('bad_message', 'hello "speak" must be true or false, or left out.');
    const tools = msg.tools === undefined ? this.tools : parseTools(msg.tools);
    if (typeof tools === 'string') return this.error('bad_message', tools);
    clearTimeout(this.helloTimer);
    this.greeted = true;
    this.speak = msg.speak ?? true;
    this.tools = tools;
    this.transport = transport;
    this.replyRate = sampleRate;
    if (transport === 'webrtc') this.ingest = new WebRtcIngest(this.deps.rtc, (pcm, at) => {
      if (this.admitAudio(pcm.byteLength)) this.detector.push(pcm, at);
    });
    this.setMode(mode);
    this.send({ type: 'ready', sessionId: this.id, mode, transport, inputSampleRate: VOICE_INPUT_SAMPLE_RATE });
    this.send({ type: 'state', state: this.current });
  }

  private async offer(sdp: unknown): Promise<void> {
    if (!this.ingest) return this.error('wrong_transport', 'This session uses the websocket transport: send PCM as binary frames, or open a new socket with transport "webrtc".');
    const started = Date.now();
    try {
      const answer = await this.ingest.answer(sdp as string);
      this.send({ type: 'answer', sdp: answer });
      this.deps.log.debug({ sessionId: this.id, ms: Date.now() - started }, 'voice offer answered');
    } catch (err) {
      if (!(err instanceof BadOfferError)) this.deps.log.warn({ sessionId: this.id, err: String(err) }, 'voice offer failed');
      this.error('bad_sdp', err instanceof BadOfferError ? err.message : 'The offer could not be answered; try again.');
    }
  }

  private receiveAudio(data: Buffer): void {
    if (!this.greeted) return this.error('not_ready', 'Send {"type":"hello",...} before audio.');
    if (this.transport !== 'websocket') return this.error('wrong_transport', 'This session takes its audio over WebRTC; binary frames are ignored.');
    if (data.length === 0 || data.length % 2 !== 0 || data.length > VOICE_MAX_BINARY_BYTES) {
      return this.error('bad_audio', `Binary frames must be 16 kHz mono Int16 LE PCM: an even number of bytes, 2 to ${VOICE_MAX_BINARY_BYTES}. Frame of ${data.length} bytes ignored.`);
    }
    if (!this.admitAudio(data.length)) return;
    // Copy: the frame's Buffer may sit at an odd offset in a shared pool.
    const pcm = new Int16Array(data.length / 2);
    Buffer.from(pcm.buffer).set(data);
    this.detector.push(pcm, Date.now());
  }

  /** Audio over the person's budget is dropped before turn detection (from either transport). */
  private admitAudio(bytes: number): boolean {
    return this.budget ? this.budget.audio(bytes) : true;
  }

  private setTools(raw: unknown): void {
    const tools = parseTools(raw);
    if (typeof tools === 'string') return this.error('bad_message', tools);
    this.tools = tools;
  }

  private setMode(mode: VoiceMode): void {
    this.mode = mode;
    this.detector.vadStartsTurns = mode === 'hands-free';
  }

  private pressPtt(): void {
    const pending = this.pttTimer;
    if (pending) {
      clearTimeout(pending.timer);
      this.pttTimer = undefined;
      this.detector.releasePtt(pending.at);
    }
    this.interruptReply();
    this.detector.pressPtt();
  }

  private releasePtt(): void {
    if (this.pttTimer) return;
    const at = Date.now();
    const timer = setTimeout(() => {
      this.pttTimer = undefined;
      this.detector.releasePtt(at);
    }, PTT_TAIL_MS);
    this.pttTimer = { timer, at };
  }

  private typed(text: string): void {
    this.interruptReply();
    const turnId = randomUUID();
    this.thinkingTurn = turnId;
    this.setState('thinking', turnId);
    this.call(() => this.deps.handlers.onText(this, { turnId, text, endedAt: Date.now() }));
  }

  private cancel(): void {
    this.interruptReply();
    this.detector.reset();
    this.listeningTurn = undefined;
    const turnId = this.thinkingTurn;
    this.thinkingTurn = undefined;
    if (turnId) this.call(() => this.deps.handlers.onCancel?.(this, turnId));
    this.setState('idle');
  }

  private speechStarted(): void {
    this.interruptReply(); // barge-in: the person speaks over the reply
    const turnId = randomUUID();
    this.listeningTurn = turnId;
    this.setState('listening', turnId);
    if (this.deps.handlers.onSpeechStart) this.call(() => this.deps.handlers.onSpeechStart!(this, turnId));
  }

  private speechEnded(e: TurnEnd): void {
    const turnId = this.listeningTurn ?? randomUUID();
    this.listeningTurn = undefined;
    if (e.pcm.length < MIN_SEGMENT_SAMPLES) return this.setState('idle');
    this.thinkingTurn = turnId;
    this.setState('thinking', turnId);
    const segment: VoiceSegment = { turnId, pcm: e.pcm, speechStartedAt: e.speechStartedAt, endedAt: e.endedAt, vadMs: Math.max(0, e.detectedAt - e.endedAt) };
    this.deps.log.debug({ sessionId: this.id, turnId, ms: (e.pcm.length / 16) | 0, reason: e.reason, vadMs: segment.vadMs }, 'voice segment');
    this.call(() => this.deps.handlers.onSegment(this, segment));
  }

  /** Stops the reply now: the page hears `reply-end {interrupted}` before the producer even notices. */
  private interruptReply(): void {
    const reply = this.reply;
    if (!reply) return;
    this.reply = undefined;
    this.send({ type: 'reply-end', turnId: reply.turnId, interrupted: true });
    reply.controller.abort();
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.log.warn({ sessionId: this.id, err: String(err) }, 'voice handler threw');
    }
  }

  private send(msg: VoiceServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private sendPcm(pcm: Int16Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
  }

  private error(code: VoiceErrorCode, message: string): void {
    this.send({ type: 'error', code, message });
  }
}

function isMode(m: unknown): m is VoiceMode {
  return m === 'push-to-talk' || m === 'hands-free';
}
