// The wire contract of /v1/voice. Text frames are JSON; binary frames are audio:
// client -> server 16 kHz mono Int16 LE PCM (WebSocket transport only), server -> client the
// reply as Int16 LE PCM at the rate announced in `reply-start`.

export const VOICE_PATH = '/v1/voice';
/** Sample rate of the PCM the client sends on the WebSocket transport, and of segments. */
export const VOICE_INPUT_SAMPLE_RATE = 16_000;
/** Largest binary frame accepted from a client (64 kB = 2 s of 16 kHz PCM16). */
export const VOICE_MAX_BINARY_BYTES = 64 * 1024;

import type { TurnOutcome } from './events.js';

export type VoiceMode = 'push-to-talk' | 'hands-free';

export interface VoiceTurnResult {
  /** What was heard (or typed). */
  text?: string;
  reply: string;
  outcome: TurnOutcome | { status: 'failed' };
  timings?: Record<string, number>;
}
export type VoiceTransportKind = 'webrtc' | 'websocket';
/**
 * `idle`: nothing under way (hands-free: waiting for speech); `listening`: capturing a turn;
 * `thinking`: a turn went to the pipeline, no reply yet; `speaking`: a reply is playing.
 */
export type VoiceState = 'idle' | 'listening' | 'thinking' | 'speaking';

export const VoiceCloseCode = {
  /** Token missing, invalid or expired: sign in again. */
  unauthorized: 4401,
  /** The client sent no `hello` in time. */
  noHello: 4400,
  /** This person has too many voice sessions open on this gateway: close one, then connect again. */
  tooMany: 4429,
} as const;

export type VoiceErrorCode =
  | 'bad_message' // not JSON, unknown type, or a field of the wrong shape
  | 'bad_sdp' // the offer could not be applied
  | 'bad_audio' // a binary frame of odd length or over VOICE_MAX_BINARY_BYTES
  | 'wrong_transport' // e.g. an offer on a websocket-transport session
  | 'not_ready' // a message that needs `hello` first
  | 'unauthorized' // an `auth` token that is invalid, expired or another person's: the socket keeps its old session
  | 'rate_limited'; // too many messages on this socket, or too much audio for this person: the message says how long to wait

/**
 * A function of the page that a turn may call (a client tool). The gateway calls it when the
 * person says one of `refersTo` ("add this article to my reading list"), and the turn reads the
 * result in the phrase's place: a string, or an object whose `title` (and `url`, kept as the
 * task's notes) are used.
 */
export interface ClientToolSpec {
  /** `[a-z][a-z0-9_]{0,63}` */
  name: string;
  /** What it returns, for people reading logs and for model-based engines. At most 500 characters. */
  description: string;
  /** Phrases it stands for, e.g. `this article`. At most 10, each 2-60 characters. */
  refersTo: string[];
}
export const MAX_CLIENT_TOOLS = 16;
/** How long a turn waits for the page to answer a tool call. */
export const CLIENT_TOOL_TIMEOUT_MS = 5_000;

export type VoiceClientMessage =
  /**
   * First message. `sampleRate`: the rate the client wants reply audio in (8000-48000); default: as produced.
   * `tools`: the page's client tools. `speak: false`: send no reply audio (text results only).
   */
  | { type: 'hello'; mode: VoiceMode; transport: VoiceTransportKind; sampleRate?: number; tools?: ClientToolSpec[]; speak?: boolean }
  /** Replaces the page's client tools. */
  | { type: 'tools'; tools: ClientToolSpec[] }
  /** Answer to `tool-call`: `result` (JSON, at most 16 kB) or `error`. */
  | { type: 'tool-result'; callId: string; result?: unknown; error?: string }
  /** Turn spoken replies on or off. */
  | { type: 'speak'; speak: boolean }
  /** WebRTC only: an SDP offer with one audio m-line (send or sendrecv). Answered with `answer`. */
  | { type: 'offer'; sdp: string }
  | { type: 'ptt'; pressed: boolean }
  | { type: 'mode'; mode: VoiceMode }
  /** A typed turn. */
  | { type: 'text'; text: string }
  /** Stop the current reply and drop the turn in flight. */
  | { type: 'cancel' }
  /** A renewed session for the same person (see the live socket's `auth`). Answered with `authed`, or `error` `unauthorized`. */
  | { type: 'auth'; token: string };

export type VoiceServerMessage =
  /** Answer to `hello`: the session is set up. */
  | { type: 'ready'; sessionId: string; mode: VoiceMode; transport: VoiceTransportKind; inputSampleRate: typeof VOICE_INPUT_SAMPLE_RATE }
  | { type: 'answer'; sdp: string }
  | { type: 'state'; state: VoiceState; turnId?: string }
  | { type: 'transcript'; turnId: string; text: string; final: boolean }
  /** What the turn did and said, with its stage timings (ms); sent before the reply audio. */
  | { type: 'result'; turnId: string; result: VoiceTurnResult }
  /** Binary frames that follow, until `reply-end`, are this reply's PCM16 at `sampleRate`. */
  | { type: 'reply-start'; turnId: string; sampleRate: number }
  /** `interrupted`: the page must drop whatever it still has queued for this reply. */
  | { type: 'reply-end'; turnId: string; interrupted: boolean }
  /** The turn needs a client tool: run it and answer with `tool-result` within CLIENT_TOOL_TIMEOUT_MS. */
  | { type: 'tool-call'; turnId: string; callId: string; name: string; args: Record<string, unknown> }
  /** Answer to `auth`: the socket now lasts until `expiresAt` (ISO-8601). */
  | { type: 'authed'; expiresAt: string }
  | { type: 'error'; code: VoiceErrorCode; message: string };
