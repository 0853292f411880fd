import type { Users } from '../domain/users.js';
import type { Logger } from '../log.js';
import type { SpeechToText, TranscriptStream } from '../providers/stt/port.js';
import type { TextToSpeech } from '../providers/tts/port.js';
import type { VoiceHandlers, VoiceSession } from '../realtime/voice/voice-session.js';
import type { ReplyMessage, ToolCallMessage, TurnContext } from './messages.js';
import type { ReplyRouter } from './replies.js';
import type { TurnStarter } from './turns.js';
import { attr, inStage } from '../telemetry/turn-trace.js';

export interface VoiceBridgeDeps {
  starter: TurnStarter;
  replies: ReplyRouter;
  tts: TextToSpeech;
  /**
   * This gateway's recogniser. When it streams, speech is recognised while the person talks:
   * interim transcripts reach the page, and the final one is ready soon after they stop. The
   * turn then enters the pipeline as text; otherwise the segment goes to the stt stage.
   */
  stt?: SpeechToText;
  /** Sends a transcript to the person's live sockets (the `voice_transcript` event). */
  showTranscript?: (userId: string, turnId: string, text: string, final: boolean) => Promise<void>;
  users: Users;
  log: Logger;
  /** The voice session with this id, if this gateway holds it. */
  session(id: string): VoiceSession | undefined;
  observe?: (stage: string, ms: number) => void;
}

/**
 * Joins voice sessions to the pipeline: speech and typed turns go onto the bus; replies to this
 * gateway's sessions come back as a result message and spoken audio. Each session keeps its
 * conversation context here (a voice socket stays on one gateway).
 */
export class VoiceBridge implements VoiceHandlers {
  private readonly contexts = new Map<string, TurnContext>();
  /** Recognition in progress, by turn id. */
  private readonly streams = new Map<string, TranscriptStream>();
  /** Turns whose final transcript the page already has (recognised here). */
  private readonly transcribed = new Set<string>();
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly deps: VoiceBridgeDeps) {
    this.unsubscribe = [deps.replies.onReply((r) => void this.speak(r)), deps.replies.onToolCall((c) => void this.callTool(c))];
  }

  stop(): void {
    for (const off of this.unsubscribe) off();
  }

  /** A turn of a session held here needs one of its page's tools: ask, then let the turn go on. */
  private async callTool(c: ToolCallMessage): Promise<void> {
    const session = this.deps.session(c.sessionId);
    if (!session) return;
    const started = Date.now();
    const answer = await inStage('client_tool', c.trace, { [attr.turnId]: c.turnId, 'sayso.client_tool': c.toolCall.name }, async (span) => {
      const answer = await session.callTool(c.turnId, c.toolCall.name, { phrase: c.toolCall.phrase });
      span?.setAttribute('sayso.client_tool.ok', !answer.error);
      return answer;
    });
    this.deps.log.info({ turnId: c.turnId, tool: c.toolCall.name, ok: !answer.error, ms: Date.now() - started }, 'client tool called');
    await this.deps.starter.resume(c, answer).catch((err: unknown) => this.failed(session, c.turnId, err));
  }

  onSpeechStart(session: VoiceSession, turnId: string): void {
    const { stt } = this.deps;
    if (!stt?.capabilities.streaming || !stt.stream) return;
    try {
      const stream = stt.stream();
      let last = '';
      stream.onInterim((text) => {
        if (!text || text === last || this.streams.get(turnId) !== stream) return;
        last = text;
        session.sendTranscript(turnId, text, false);
        void this.deps.showTranscript?.(session.userId, turnId, text, false).catch(() => {});
      });
      this.streams.set(turnId, stream);
    } catch (err) {
      this.deps.log.warn({ turnId, err: String(err) }, 'streaming recognition could not start; the whole segment will be recognised');
    }
  }

  onSpeechAudio(_session: VoiceSession, turnId: string, pcm: Int16Array): void {
    this.streams.get(turnId)?.push(pcm);
  }

  onSegment(session: VoiceSession, segment: { turnId: string; pcm: Int16Array; endedAt: number; vadMs: number }): void {
    this.deps.observe?.('vad', segment.vadMs);
    const stream = this.streams.get(segment.turnId);
    this.streams.delete(segment.turnId);
    if (stream) {
      void stream.end().then(
        ({ text }) => (text.trim() ? this.recognised(session, segment, text) : this.toSttStage(session, segment)),
        (err: unknown) => {
          this.deps.log.warn({ turnId: segment.turnId, err: String(err) }, 'streaming recognition failed; recognising the whole segment');
          this.toSttStage(session, segment);
        },
      );
      return;
    }
    this.toSttStage(session, segment);
  }

  /** Speech recognised here while it was spoken: the turn goes on as text. */
  private recognised(session: VoiceSession, segment: { turnId: string; endedAt: number; vadMs: number }, text: string): void {
    const stt = Math.max(0, Date.now() - segment.endedAt - segment.vadMs);
    this.deps.observe?.('stt', stt);
    session.sendTranscript(segment.turnId, text, true);
    this.transcribed.add(segment.turnId);
    void this.deps.showTranscript?.(session.userId, segment.turnId, text, true).catch(() => {});
    void this.context(session)
      .then((context) =>
        this.deps.starter.text({
          userId: session.userId, sessionId: session.id, turnId: segment.turnId, text, context,
          spoken: { endedAt: segment.endedAt, timings: { vad: segment.vadMs, stt } },
        }),
      )
      .then(() => session.setState('thinking', segment.turnId))
      .catch((err: unknown) => this.failed(session, segment.turnId, err));
  }

  private toSttStage(session: VoiceSession, segment: { turnId: string; pcm: Int16Array; endedAt: number; vadMs: number }): void {
    void this.context(session)
      .then((context) =>
        this.deps.starter.speech({ userId: session.userId, sessionId: session.id, turnId: segment.turnId, pcm: segment.pcm, endedAt: segment.endedAt, vadMs: segment.vadMs, context }),
      )
      .then(() => session.setState('thinking', segment.turnId))
      .catch((err: unknown) => this.failed(session, segment.turnId, err));
  }

  onText(session: VoiceSession, text: { turnId: string; text: string; endedAt: number }): void {
    void this.context(session)
      .then((context) => this.deps.starter.text({ userId: session.userId, sessionId: session.id, turnId: text.turnId, text: text.text, context }))
      .then(() => session.setState('thinking', text.turnId))
      .catch((err: unknown) => this.failed(session, text.turnId, err));
  }

  /** The session's conversation so far, with the page's current tools and no earlier tool answers. */
  private async context(session: VoiceSession): Promise<TurnContext> {
    let known = this.contexts.get(session.id);
    if (!known) {
      known = { timeZone: await this.deps.users.timeZone(session.userId) };
      this.contexts.set(session.id, known);
    }
    const { toolResults: _done, clientTools: _old, ...rest } = known;
    return session.tools.length ? { ...rest, clientTools: session.tools } : rest;
  }

  private async speak(r: ReplyMessage): Promise<void> {
    const session = this.deps.session(r.sessionId);
    if (!session) {
      this.contexts.delete(r.sessionId);
      return;
    }
    this.contexts.set(session.id, r.context);
    if (r.text && !this.transcribed.delete(r.turnId)) session.sendTranscript(r.turnId, r.text, true);
    session.sendResult(r.turnId, { text: r.text, reply: r.reply, outcome: r.outcome, timings: { ...r.timings } });
    if (!session.speak) {
      this.deps.starter.finish(r.turnId, r.outcome);
      return session.setState('idle');
    }
    try {
      const { tts } = this.deps;
      await inStage('tts', r.trace, { [attr.turnId]: r.turnId, [attr.engine]: tts.id, 'sayso.reply.chars': r.reply.length }, async (span) => {
        const played = await session.playReply(r.turnId, tts.synthesize(r.reply), tts.capabilities.sampleRate);
        if (played.firstByteMs !== null) this.deps.observe?.('tts_first_byte', played.firstByteMs);
        span?.setAttributes({ 'sayso.tts.first_byte_ms': played.firstByteMs ?? -1, 'sayso.tts.interrupted': played.interrupted });
        this.deps.log.info({ turnId: r.turnId, ...r.timings, ttsFirstByte: played.firstByteMs, interrupted: played.interrupted }, 'turn spoken');
      });
    } catch (err) {
      this.deps.log.warn({ turnId: r.turnId, err: String(err) }, 'reply audio failed; the text reply was sent');
    } finally {
      this.deps.starter.finish(r.turnId, r.outcome);
    }
  }

  private failed(session: VoiceSession, turnId: string, err: unknown): void {
    this.deps.log.warn({ turnId, err: String(err) }, 'could not start the turn');
    this.deps.starter.finish(turnId, { status: 'failed' });
    session.sendResult(turnId, { reply: 'Sorry, something went wrong on my side. Please try again.', outcome: { status: 'failed' } });
    session.setState('idle');
  }
}
