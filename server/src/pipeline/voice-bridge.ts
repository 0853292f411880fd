import type { Users } from '../domain/users.js';
import type { Logger } from '../log.js';
import type { TextToSpeech } from '../providers/tts/port.js';
import type { VoiceHandlers, VoiceSession } from '../realtime/voice/voice-session.js';
import type { ReplyMessage, TurnContext } from './messages.js';
import type { ReplyRouter } from './replies.js';
import type { TurnStarter } from './turns.js';

export interface VoiceBridgeDeps {
  starter: TurnStarter;
  replies: ReplyRouter;
  tts: TextToSpeech;
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
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: VoiceBridgeDeps) {
    this.unsubscribe = deps.replies.onReply((r) => void this.speak(r));
  }

  stop(): void {
    this.unsubscribe();
  }

  onSegment(session: VoiceSession, segment: { turnId: string; pcm: Int16Array; endedAt: number; vadMs: number }): void {
    this.deps.observe?.('vad', segment.vadMs);
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

  private async context(session: VoiceSession): Promise<TurnContext> {
    const known = this.contexts.get(session.id);
    if (known) return known;
    const context = { timeZone: await this.deps.users.timeZone(session.userId) };
    this.contexts.set(session.id, context);
    return context;
  }

  private async speak(r: ReplyMessage): Promise<void> {
    const session = this.deps.session(r.sessionId);
    if (!session) {
      this.contexts.delete(r.sessionId);
      return;
    }
    this.contexts.set(session.id, r.context);
    if (r.text) session.sendTranscript(r.turnId, r.text, true);
    session.sendResult(r.turnId, { text: r.text, reply: r.reply, outcome: r.outcome, timings: { ...r.timings } });
    try {
      const { tts } = this.deps;
      const played = await session.playReply(r.turnId, tts.synthesize(r.reply), tts.capabilities.sampleRate);
      if (played.firstByteMs !== null) this.deps.observe?.('tts_first_byte', played.firstByteMs);
      this.deps.log.info({ turnId: r.turnId, ...r.timings, ttsFirstByte: played.firstByteMs, interrupted: played.interrupted }, 'turn spoken');
    } catch (err) {
      this.deps.log.warn({ turnId: r.turnId, err: String(err) }, 'reply audio failed; the text reply was sent');
    }
  }

  private failed(session: VoiceSession, turnId: string, err: unknown): void {
    this.deps.log.warn({ turnId, err: String(err) }, 'could not start the turn');
    session.sendResult(turnId, { reply: 'Sorry, something went wrong on my side. Please try again.', outcome: { status: 'failed' } });
    session.setState('idle');
  }
}
