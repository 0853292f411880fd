import type { ClientToolSpec, TurnOutcome, Understanding } from '@sayso/protocol';

// What flows between the stages of a voice turn, one bus stream per hop. Every message carries
// the turn id (a turn's effect happens once, however often a stage is retried) and the session
// that started it (the gateway holding that session plays the reply).
//
//   voice.segments --stt--> voice.texts --understand--> voice.intents --act--> voice.replies
//   (gateway: VAD)                (typed text enters here)                   (gateway: TTS)

export const STREAMS = {
  segments: 'voice.segments',
  texts: 'voice.texts',
  intents: 'voice.intents',
  replies: 'voice.replies',
} as const;

/** Stage timings of one turn, in ms. `vad` = end of speech -> segment published. */
export interface TurnTimings {
  vad?: number;
  stt?: number;
  understand?: number;
  act?: number;
  /** Reply text ready -> first audio chunk sent to the client. */
  ttsFirstByte?: number;
  /** End of speech (or text received) -> action committed and broadcast. */
  toCommit?: number;
}

/** What the conversation last touched, so "move it to Friday" knows what "it" is. */
export interface TurnContext {
  last?: { kind: 'task' | 'event' | 'habit' | 'journal'; id: string; title: string };
  timeZone?: string;
  /** The page's client tools (voice sessions only). */
  clientTools?: ClientToolSpec[];
  /** Client tools this turn already called, with what the page answered. */
  toolResults?: ToolResult[];
}

export interface ToolResult {
  name: string;
  /** The phrase the tool stood for in the utterance. */
  phrase: string;
  result?: unknown;
  error?: string;
}

interface TurnBase {
  turnId: string;
  userId: string;
  sessionId: string;
  /** Epoch ms when the person stopped speaking (or sent the text): the turn's clock starts here. */
  endedAt: number;
  context: TurnContext;
  timings: TurnTimings;
  /** W3C trace context of the turn's root span, when tracing is on where the turn started. */
  trace?: { traceparent: string };
}

/** A stretch of speech ready to transcribe: 16 kHz mono PCM16, base64 (Redis entries are strings). */
export interface SegmentMessage extends TurnBase {
  pcm: string;
  sampleRate: 16000;
}

export interface TextMessage extends TurnBase {
  text: string;
  /** `voice` when transcribed, `typed` when the person typed it. */
  via: 'voice' | 'typed';
}

export interface IntentMessage extends TurnBase {
  text: string;
  understanding: Understanding;
}


/**
 * On the replies stream too: the turn needs a client tool. The gateway holding the session asks
 * the page, then puts the turn back on `voice.texts` with the answer in `context.toolResults`.
 */
export interface ToolCallMessage extends TurnBase {
  text: string;
  via: 'voice' | 'typed';
  toolCall: { name: string; phrase: string };
}

export interface ReplyMessage extends TurnBase {
  text: string;
  reply: string;
  outcome: TurnOutcome;
}
